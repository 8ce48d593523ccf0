// SPDX-License-Identifier: BSD-3-Clause
// Context switching: the one primitive the executor's fibers are built on.
//
// A Context is a suspended stack. SwitchContext(save, to) saves the running
// context in `save` and resumes `to`; it returns when something later switches
// to `save`. MakeContext prepares a fresh stack so that the first switch to it
// calls entry(a, b) there; when the entry returns a Context, that stack is
// dead and execution continues in the returned context (whoever lands there
// releases the dead stack: it is never switched to again).
//
// x86-64 SysV (the native switch): SwitchContext is one inline asm
// statement. It stores the resume address, rsp and rbp in `save`, loads the
// three of `to` and jumps: no call, no ret (the CPU's return-stack predictor
// stays balanced), no PLT. Its clobber list names every other general-purpose,
// SSE and x87 register, as an opaque call would clobber the caller-saved ones,
// so the compiler saves the callee-saved registers it uses (rbx, r12-r15)
// in the enclosing function and keeps nothing else live across the switch;
// rbp is saved by hand because it may be the frame pointer. A fresh context
// (MakeContext) resumes in benchfs_context_start (context_switch.cc), a
// trampoline that calls the entry and jumps to the Context it returns.
//
// Not saved: the x87 control word and the control bits of MXCSR. The ABI
// makes them callee-saved, meaning a function that changes them must restore
// them before it returns; the switch changes neither, and nothing the
// executor runs changes them across a suspension, so every context sees the
// thread's one value and there is nothing to save. (Boost.Context saves both
// on every switch, so that each fiber may keep a rounding mode of its own;
// fldcw alone costs more than the rest of the switch.) The consequence for
// fiber code: a fiber that changes the rounding mode or the floating-point
// exception masks must restore them before it waits, yields or ends, as it
// would before returning from any function. Shadow-stack (CET) builds take
// the fallback below (the jump does not keep a shadow stack in step).
//
// Elsewhere (aarch64, or x86-64 built with -fcf-protection=return, or with
// BENCHFS_PORTABLE_CONTEXT_SWITCH defined): the same three calls on
// Boost.Context's `fiber`, with `resume_with` storing the switching side in
// `save`. Slower, identical semantics; the tests run on both.
#pragma once

#include <boost/context/stack_context.hpp>

#if defined(__x86_64__) && !defined(BENCHFS_PORTABLE_CONTEXT_SWITCH) && \
    !(defined(__CET__) && (__CET__ & 2))
#define BENCHFS_NATIVE_CONTEXT_SWITCH 1
#else
#include <boost/context/fiber.hpp>
#endif

namespace benchfs {

struct Context {
#if defined(BENCHFS_NATIVE_CONTEXT_SWITCH)
  // Offsets 0, 8 and 16 are read and written by the assembly.
  void* sp = nullptr;
  void* pc = nullptr;  // where it resumes
  void* fp = nullptr;  // its rbp (the frame pointer, where the build keeps one)
#else
  boost::context::fiber fiber;
#endif
};

// Runs on a new context's stack; returns the context to continue in. It must
// not let an exception escape (there is no frame above it to catch one).
using ContextEntry = Context* (*)(void* a, void* b);

// Prepares `ctx` to run entry(a, b) on `stack` (its top is stack.sp) the first
// time it is switched to. The stack must stay mapped until the context ends.
void MakeContext(Context& ctx, const boost::context::stack_context& stack, ContextEntry entry,
                 void* a, void* b);

// True when this build uses the native x86-64 switch (reported by the tests).
constexpr bool kNativeContextSwitch =
#if defined(BENCHFS_NATIVE_CONTEXT_SWITCH)
    true;
#else
    false;
#endif

}  // namespace benchfs

namespace benchfs {

inline void SwitchContext(Context& save, Context& to) {
#if defined(BENCHFS_NATIVE_CONTEXT_SWITCH)
  Context* from = &save;
  Context* target = &to;
  asm volatile(
      "leaq 1f(%%rip), %%rax\n\t"
      "movq %%rsp, 0(%0)\n\t"
      "movq %%rax, 8(%0)\n\t"
      "movq %%rbp, 16(%0)\n\t"
      "movq 0(%1), %%rsp\n\t"
      "movq 16(%1), %%rbp\n\t"
      "jmpq *8(%1)\n"
      "1:"
      : "+D"(from), "+S"(target)
      :
      : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
        "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st", "st(1)", "st(2)", "st(3)",
        "st(4)", "st(5)", "st(6)", "st(7)", "memory", "cc");
#else
  // The target lands holding an empty fiber: the switching side's
  // continuation went to `save` on the way.
  boost::context::fiber landed = std::move(to.fiber).resume_with(
      [&save](boost::context::fiber&& from) {
        save.fiber = std::move(from);
        return boost::context::fiber{};
      });
  (void)landed;
#endif
}

}  // namespace benchfs
