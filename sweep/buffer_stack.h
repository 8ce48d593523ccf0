// Buffers for the operations a point keeps in flight: one per operation at a
// time, reused, made by a factory the first time (e.g. a registered buffer
// from the store, or a heap buffer).
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "runtime/io_buffer.h"

namespace benchfs {

class BufferStack {
 public:
  explicit BufferStack(std::function<IoBuffer()> make) : make_(std::move(make)) {}
  IoBuffer Take() {
    if (free_.empty()) return make_();
    IoBuffer b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Give(IoBuffer b) {
    if (!b.empty()) free_.push_back(std::move(b));
  }

 private:
  std::function<IoBuffer()> make_;
  std::vector<IoBuffer> free_;
};

}  // namespace benchfs
