"""nfvlab.interconnect.nic_bind against a temporary directory laid out like /sys: the
real file names of /sys/bus/pci (devices/<address> linking into /sys/devices,
driver, driver_override, vendor, device, iommu_group, net/<ifname>), drivers/<name>/unbind,
drivers_probe and /sys/class/net/<ifname>/flags. A small fake kernel makes unbind and
drivers_probe move the driver link the way the real one does."""

import os

import pytest

from ansible.module_utils import basic

from ansible_collections.nfvlab.interconnect.plugins.module_utils import pci
from ansible_collections.nfvlab.interconnect.plugins.modules import nic_bind

from .run_command_cases import BIN_PATHS, call_main

X710 = "0000:03:00.0"
CX3 = "0000:81:00.0"
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "iproute2")


class FakeSysfs(object):
    def __init__(self, root):
        self.root = str(root)
        self.bus = os.path.join(self.root, "bus", "pci")
        self.kernel_driver = {}
        self.ifnames = {}
        for driver in ("i40e", "mlx4_core", "vfio-pci"):
            self.add_driver(driver)
        self.write_file(os.path.join(self.bus, "drivers_probe"), "")
        self.write_file(os.path.join(self.root, "module", "vfio", "parameters", "enable_unsafe_noiommu_mode"), "N\n")

    @staticmethod
    def write_file(path, value):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(value)

    def add_driver(self, driver):
        for name in ("bind", "unbind", "new_id", "remove_id", "uevent"):
            self.write_file(os.path.join(self.bus, "drivers", driver, name), "")

    def add_device(self, address, vendor, device, driver, ifname=None, up=False, iommu_group="12"):
        real = os.path.join(self.root, "devices", "pci0000:00", "0000:00:02.0", address)
        for name, value in (("vendor", vendor), ("device", device), ("class", "0x020000"),
                            ("driver_override", "(null)"), ("uevent", "")):
            self.write_file(os.path.join(real, name), value + "\n")
        link = os.path.join(self.bus, "devices", address)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(os.path.relpath(real, os.path.dirname(link)), link)
        if iommu_group is not None:
            group = os.path.join(self.root, "kernel", "iommu_groups", iommu_group)
            os.makedirs(group, exist_ok=True)
            os.symlink(os.path.relpath(group, real), os.path.join(real, "iommu_group"))
        self.kernel_driver[address] = driver
        self.ifnames[address] = ifname
        self.attach(address, driver, up)

    def device(self, address):
        return os.path.realpath(os.path.join(self.bus, "devices", address))

    def attach(self, address, driver, up=False):
        path = self.device(address)
        os.symlink(os.path.relpath(os.path.join(self.bus, "drivers", driver), path), os.path.join(path, "driver"))
        ifname = self.ifnames.get(address)
        if driver == self.kernel_driver[address] and ifname:
            os.makedirs(os.path.join(path, "net", ifname), exist_ok=True)
            self.write_file(os.path.join(self.root, "class", "net", ifname, "flags"), "0x1003\n" if up else "0x1002\n")

    def detach(self, address):
        path = self.device(address)
        os.remove(os.path.join(path, "driver"))
        net = os.path.join(path, "net")
        if os.path.isdir(net):
            for ifname in os.listdir(net):
                os.rmdir(os.path.join(net, ifname))
            os.rmdir(net)

    def kernel_write(self, path, value):
        """What the kernel does on a write to these files."""
        path = os.path.abspath(path)
        if path.endswith("/unbind"):
            self.detach(value.strip())
        elif path == os.path.join(self.bus, "drivers_probe"):
            address = value.strip()
            override = open(os.path.join(self.device(address), "driver_override")).read().strip()
            driver = override if override not in ("", "(null)") else self.kernel_driver[address]
            if os.path.isdir(os.path.join(self.bus, "drivers", driver)):
                self.attach(address, driver)
        elif path.endswith("/driver_override"):
            self.write_file(os.path.realpath(path), value if value.strip() else "(null)\n")
        else:
            self.write_file(path, value)

    def driver(self, address):
        link = os.path.join(self.device(address), "driver")
        return os.path.basename(os.readlink(link)) if os.path.islink(link) else None


@pytest.fixture
def sysfs(tmp_path, monkeypatch):
    fake = FakeSysfs(tmp_path / "sys")
    fake.add_device(X710, "0x8086", "0x1572", "i40e", ifname="ens1f0")
    fake.add_device(CX3, "0x15b3", "0x1007", "mlx4_core", ifname="ib0")
    monkeypatch.setattr(pci.Binder, "write", staticmethod(fake.kernel_write))
    return fake


def run(sysfs, tmp_path, capsys, monkeypatch, commands=(), check=False, diff=False, **params):
    """Run the module; `commands` are (argv, rc, out_file) the module must run, in order."""
    expected = list(commands)

    def run_command(self, args, **kwargs):
        assert expected, "unexpected command %s" % args
        argv, rc, out_file = expected.pop(0)
        assert list(args) == argv
        out = open(os.path.join(FIXTURES, out_file)).read() if out_file else ""
        return rc, out, ""

    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, name, required=False, opt_dirs=None: BIN_PATHS[name])
    args = dict(params, sysfs=sysfs.root, persist_dir=str(tmp_path / "driverctl.d"))
    result = call_main(nic_bind.main, args, capsys, check=check, diff=diff)
    assert not expected, "commands not run: %s" % expected
    return result


def persisted(tmp_path, address):
    path = tmp_path / "driverctl.d" / ("pci-" + address)
    return path.read_text().strip() if path.exists() else None


def test_binds_to_vfio_persistently_then_changes_nothing(sysfs, tmp_path, capsys, monkeypatch):
    result = run(sysfs, tmp_path, capsys, monkeypatch, pci=X710, driver="vfio-pci", diff=True)
    assert result["changed"] is True
    assert result["driver_before"] == "i40e" and result["driver"] == "vfio-pci"
    assert result["interfaces"] == ["ens1f0"]
    assert sysfs.driver(X710) == "vfio-pci"
    assert persisted(tmp_path, X710) == "vfio-pci"
    assert result["diff"]["before"] == {"driver": "i40e", "driver_override": None, "persisted": None}
    assert result["diff"]["after"] == {"driver": "vfio-pci", "driver_override": "vfio-pci", "persisted": "vfio-pci"}
    again = run(sysfs, tmp_path, capsys, monkeypatch, pci=X710, driver="vfio-pci")
    assert again["changed"] is False


def test_back_to_the_kernel_driver(sysfs, tmp_path, capsys, monkeypatch):
    run(sysfs, tmp_path, capsys, monkeypatch, pci=X710, driver="vfio-pci")
    result = run(sysfs, tmp_path, capsys, monkeypatch, pci=X710, driver="kernel")
    assert result["changed"] is True and result["driver"] == "i40e"
    assert sysfs.driver(X710) == "i40e"
    assert persisted(tmp_path, X710) is None
    assert os.path.isdir(os.path.join(sysfs.device(X710), "net", "ens1f0"))
    assert run(sysfs, tmp_path, capsys, monkeypatch, pci=X710, driver="kernel")["changed"] is False


def test_check_mode_changes_nothing(sysfs, tmp_path, capsys, monkeypatch):
    result = run(sysfs, tmp_path, capsys, monkeypatch, pci=X710, driver="vfio-pci", check=True)
    assert result["changed"] is True and result["driver"] == "vfio-pci"
    assert sysfs.driver(X710) == "i40e" and persisted(tmp_path, X710) is None


def test_refuses_an_interface_that_is_up_with_an_address(tmp_path, capsys, monkeypatch):
    fake = FakeSysfs(tmp_path / "sys")
    fake.add_device(X710, "0x8086", "0x1572", "i40e", ifname="eth0", up=True)
    monkeypatch.setattr(pci.Binder, "write", staticmethod(fake.kernel_write))
    commands = [(["/usr/sbin/ip", "-j", "addr", "show", "dev", "eth0"], 0, "addr-eth0-192.0.2.2.json"),
                (["/usr/sbin/ip", "-j", "route", "show", "dev", "eth0"], 0, "route-eth0-default.json")]
    result = run(fake, tmp_path, capsys, monkeypatch, commands=commands, pci=X710, driver="vfio-pci")
    assert result["failed"] is True
    assert "refusing to take 0000:03:00.0 from the kernel: eth0 is up with 192.0.2.2/24, fd00::2/64, route default" in result["msg"]
    assert fake.driver(X710) == "i40e"
    forced = run(fake, tmp_path, capsys, monkeypatch, commands=commands, pci=X710, driver="vfio-pci", force=True)
    assert forced["changed"] is True and fake.driver(X710) == "vfio-pci"


def test_unavailable_driver_fails_clearly(sysfs, tmp_path, capsys, monkeypatch):
    # ens1f0 is down (flags 0x1002), so no ip command is needed to know it carries no traffic
    result = run(sysfs, tmp_path, capsys, monkeypatch, pci=X710, driver="uio_pci_generic",
                 commands=[(["/usr/sbin/modprobe", "uio_pci_generic"], 1, None)])
    assert result["failed"] is True
    assert "driver uio_pci_generic is not available on this host" in result["msg"]
    assert sysfs.driver(X710) == "i40e"


def test_mellanox_is_skipped_with_a_message(sysfs, tmp_path, capsys, monkeypatch):
    result = run(sysfs, tmp_path, capsys, monkeypatch, pci=CX3, driver="vfio-pci")
    assert result["changed"] is False
    assert "Mellanox device (mlx4_core)" in result["skipped_reason"] and "bifurcated" in result["skipped_reason"]
    assert sysfs.driver(CX3) == "mlx4_core"


def test_vfio_without_iommu_group_needs_noiommu(tmp_path, capsys, monkeypatch):
    fake = FakeSysfs(tmp_path / "sys")
    fake.add_device(X710, "0x8086", "0x1572", "i40e", ifname="ens1f0", iommu_group=None)
    monkeypatch.setattr(pci.Binder, "write", staticmethod(fake.kernel_write))
    result = run(fake, tmp_path, capsys, monkeypatch, pci=X710, driver="vfio-pci")
    assert result["failed"] is True and "has no IOMMU group" in result["msg"]
    result = run(fake, tmp_path, capsys, monkeypatch, pci=X710, driver="vfio-pci", vfio_noiommu=True)
    assert result["changed"] is True and fake.driver(X710) == "vfio-pci"
    with open(os.path.join(fake.root, "module", "vfio", "parameters", "enable_unsafe_noiommu_mode")) as handle:
        assert handle.read().strip() == "Y"


def test_driver_module_is_loaded_when_missing(sysfs, tmp_path, capsys, monkeypatch):
    def modprobe_loads(self, args, **kwargs):
        sysfs.add_driver("uio_pci_generic")
        return 0, "", ""

    monkeypatch.setattr(basic.AnsibleModule, "run_command", modprobe_loads)
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, name, required=False, opt_dirs=None: BIN_PATHS[name])
    args = dict(pci=X710, driver="uio_pci_generic", sysfs=sysfs.root, persist_dir=str(tmp_path / "d"), persistent=False)
    result = call_main(nic_bind.main, args, capsys)
    assert result["changed"] is True and sysfs.driver(X710) == "uio_pci_generic"
    assert not (tmp_path / "d").exists()  # persistent=false writes no override file


@pytest.mark.parametrize("params, message", [
    (dict(pci="03:00.0", driver="vfio-pci"), "pci: '03:00.0' is not a PCI address"),
    (dict(pci="0000:03:00.7", driver="vfio-pci"), "pci: no PCI device 0000:03:00.7 on this host"),
    (dict(pci=X710, driver="ixgbe"), "value of driver must be one of: vfio-pci, uio_pci_generic, igb_uio, kernel"),
])
def test_bad_input_changes_nothing(sysfs, tmp_path, capsys, monkeypatch, params, message):
    result = run(sysfs, tmp_path, capsys, monkeypatch, **params)
    assert result["failed"] is True and message in result["msg"]
    assert sysfs.driver(X710) == "i40e"
