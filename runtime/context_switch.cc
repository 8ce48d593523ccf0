// SPDX-License-Identifier: BSD-3-Clause
// Context switching (context_switch.h): MakeContext and, on x86-64, the
// trampoline a fresh context starts in, written as a top-level asm block (so
// the compiler emits the object's non-executable-stack note and no build step
// handles assembly); elsewhere the Boost.Context fallback.
#include "runtime/context_switch.h"

#include <cstdint>

namespace benchfs {

#if defined(BENCHFS_NATIVE_CONTEXT_SWITCH)

// benchfs_context_start: where a fresh context's first switch jumps to (its
// Context's pc; MakeContext). It pops entry, a and b from the new stack,
// calls entry(a, b), then switches to the Context* the entry returned without
// saving anything: the stack it leaves is dead. `.cfi_undefined rip` ends
// unwinding and backtraces there.
asm(R"(
  .text
  .p2align 4
  .hidden benchfs_context_start
  .type benchfs_context_start, @function
benchfs_context_start:
  .cfi_startproc
  .cfi_undefined rip
  popq %rax
  popq %rdi
  popq %rsi
  callq *%rax
  movq 0(%rax), %rsp
  movq 16(%rax), %rbp
  jmpq *8(%rax)
  .cfi_endproc
  .size benchfs_context_start, .-benchfs_context_start
)");

extern "C" void benchfs_context_start();

void MakeContext(Context& ctx, const boost::context::stack_context& stack, ContextEntry entry,
                 void* a, void* b) {
  const uintptr_t top = reinterpret_cast<uintptr_t>(stack.sp) & ~uintptr_t{15};
  void** frame = reinterpret_cast<void**>(top - 16 - 3 * sizeof(void*));
  frame[0] = reinterpret_cast<void*>(entry);
  frame[1] = a;
  frame[2] = b;
  ctx.sp = frame;
  ctx.pc = reinterpret_cast<void*>(&benchfs_context_start);
  ctx.fp = nullptr;
}

#else  // Boost.Context

namespace {

// Hands Boost.Context the caller's stack; the owner releases it (Boost's
// record at its top is destroyed before the stack is reused).
class GivenStack {
 public:
  explicit GivenStack(const boost::context::stack_context& stack) : stack_(stack) {}
  boost::context::stack_context allocate() { return stack_; }
  void deallocate(boost::context::stack_context&) noexcept {}

 private:
  boost::context::stack_context stack_;
};

}  // namespace

void MakeContext(Context& ctx, const boost::context::stack_context& stack, ContextEntry entry,
                 void* a, void* b) {
  ctx.fiber = boost::context::fiber(std::allocator_arg, GivenStack(stack),
                                    [entry, a, b](boost::context::fiber&& from) {
                                      (void)from;  // empty: SwitchContext stored it
                                      return std::move(entry(a, b)->fiber);
                                    });
}

#endif

}  // namespace benchfs
