"""Load the DAQ modules of a directory with libdaq, as Snort does, and list the ones that loaded.

Usage: python3 daq_modules.py <libdaq> <module directory>
Prints one line per module, in the format of Snort's --daq-list: name(vVERSION): capabilities.
libdaq itself reports a module that fails to load on stderr."""

import ctypes
import sys


# DAQ_TYPE_* bits of daq_common.h, named as Snort's --daq-list names them.
CAPABILITIES = [(0x01, "readback"), (0x02, "live"), (0x04, "inline"), (0x08, "multi")]
NO_UNPRIV = 0x10


class ModuleInfo(ctypes.Structure):
    """DAQ_Module_Info_t of daq.h (DAQ 2.0)."""
    _fields_ = [("name", ctypes.c_char_p), ("version", ctypes.c_uint32), ("type", ctypes.c_uint32)]


def main(libdaq, directory):
    daq = ctypes.CDLL(libdaq)
    dirs = (ctypes.c_char_p * 2)(directory.encode(), None)
    if daq.daq_load_modules(dirs) != 0:
        sys.stderr.write("daq_load_modules(%s) failed\n" % directory)
        return 1
    infos = ctypes.POINTER(ModuleInfo)()
    count = daq.daq_get_module_list(ctypes.byref(infos))
    if count < 0:
        sys.stderr.write("daq_get_module_list failed: %d\n" % count)
        return 1
    for index in range(count):
        info = infos[index]
        words = [word for bit, word in CAPABILITIES if info.type & bit]
        if not info.type & NO_UNPRIV:
            words.append("unpriv")
        print("%s(v%d): %s" % (info.name.decode(), info.version, " ".join(words)))
    daq.daq_free_module_list(infos, count)
    daq.daq_unload_modules()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
