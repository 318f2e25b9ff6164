#pragma once
// The result file slapgrid writes for each promise (SLAPOS.md 2.7), as Python's json.dump writes
// it, so that the monitor stack reads the results of this runner like slapgrid's own.

#include "promise_dir.hpp"

#include <string>

namespace promise::runner {

// {"title": ..., "name": ..., "path": ..., "execution-time": ..., "result": {"type":
// "Test Result", "failed": ..., "date": "YYYY-mm-ddTHH:MM:SS+0000", "message": ...}}, one line.
std::string status_json(const PromiseResult& result);

// Writes <partition>/.slapgrid/promise/result/<title>.status.json atomically (temporary file,
// rename), creating the directories. Returns the path written; throws std::runtime_error.
std::string write_status_file(const std::string& partition, const PromiseResult& result);

}  // namespace promise::runner
