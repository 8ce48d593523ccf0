// SPDX-License-Identifier: BSD-3-Clause
// The bodies of BenchFS's fuzz targets, shared by the libFuzzer binaries
// (fuzz_main.cc, built with -DBENCHFS_FUZZ=ON and clang) and by the
// regression test that replays the seed corpus and every input that once
// failed (regression_test.cc, built in every configuration).
//
// Each target feeds one untrusted input to a decoder and checks properties
// that must hold for every input. It returns "" when they do, else what went
// wrong; memory errors are left to the sanitizers.
//
//   wire            an active message as the server or the client receives it:
//                   the fixed header (DecodeHeader), then the operation header
//                   of the opcode's request or reply (service/ops.h, HELLO),
//                   or a STATUS reply's counters; whatever decodes must
//                   re-encode to the same bytes (or the same fields)
//   metadata_log    a metadata log file replayed by MetadataStore::Open; what
//                   it keeps must be consistent (every entry listed and found
//                   under its path) and a second replay must find the same
//                   records; with the first byte odd, the target first fixes
//                   up every record's CRC so the fuzzer reaches the payloads
//   bootstrap       bytes on benchfsd's --listen port (rpc/bootstrap.h), as a
//                   request or a reply, whole and one byte at a time: every
//                   prefix decodes as incomplete, complete or invalid with a
//                   reason, never past a limit, and a complete frame
//                   re-encodes to its bytes
//   config          benchfsd's TOML configuration (Knobs::ApplyToml over every
//                   daemon knob); an accepted file, printed back as
//                   --print-config prints it, must load to the same values
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace benchfs::fuzz {

std::string CheckWire(const uint8_t* data, size_t size);
std::string CheckMetadataLog(const uint8_t* data, size_t size);
std::string CheckConfig(const uint8_t* data, size_t size);
std::string CheckBootstrap(const uint8_t* data, size_t size);

}  // namespace benchfs::fuzz
