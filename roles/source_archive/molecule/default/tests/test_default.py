"""source_archive: unpacked without its top directory, tarball kept beside it; a
tampered archive never reached the host."""


def test_release_is_unpacked_without_its_top_directory(host):
    assert host.file("/usr/local/src/demo/demo-1.0/VERSION").content_string == "1.0\n"
    assert host.file("/usr/local/src/demo/demo-1.0/src/main.c").exists
    assert host.file("/usr/local/src/demo/demo-1.0.tar.xz").exists
    assert not host.file("/usr/local/src/demo/demo-1.0.partial").exists


def test_tampered_archive_never_reached_the_host(host):
    assert not host.file("/usr/local/src/demo-tampered").exists
