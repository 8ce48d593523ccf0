// SPDX-License-Identifier: BSD-3-Clause
// Buffers for the operations a point keeps in flight: one per operation at a
// time, made by a factory the first time (e.g. a registered buffer from the
// store, or a heap buffer) and reused in place - an operation borrows the
// buffer by reference and hands it back, so nothing is moved per operation.
// A buffer a failed operation could not hand back (empty) is made anew.
#pragma once

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "runtime/io_buffer.h"

namespace benchfs {

class BufferStack {
 public:
  explicit BufferStack(std::function<IoBuffer()> make) : make_(std::move(make)) {}
  IoBuffer& Take() {
    if (free_.empty()) {
      owned_.push_back(std::make_unique<IoBuffer>(make_()));
      return *owned_.back();
    }
    IoBuffer* b = free_.back();
    free_.pop_back();
    if (b->empty()) *b = make_();
    return *b;
  }
  void Give(IoBuffer& b) { free_.push_back(&b); }

 private:
  std::function<IoBuffer()> make_;
  std::vector<std::unique_ptr<IoBuffer>> owned_;
  std::vector<IoBuffer*> free_;
};

}  // namespace benchfs
