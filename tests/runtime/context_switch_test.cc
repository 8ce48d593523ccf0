// SPDX-License-Identifier: BSD-3-Clause
// The context switch itself (runtime/context_switch.h), below the executor:
// registers and the stack pointer survive a switch, a new context starts with
// its arguments on an aligned stack, many contexts pass control round a ring,
// exceptions are thrown and caught on a context's own stack.
#include "runtime/context_switch.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/sanitizer.h"
#include "runtime/stack_pool.h"

namespace benchfs {
namespace {

// One side of a switch, with what AddressSanitizer needs to follow it. The
// thread's own stack learns its bounds when it first switches away.
struct Side {
  Context ctx;
  void* fake_stack = nullptr;
  const void* bottom = nullptr;
  size_t size = 0;
};

void Switch(Side& from, Side& to) {
  AsanStartSwitch(&from.fake_stack, to.bottom, to.size);
  SwitchContext(from.ctx, to.ctx);
  AsanFinishSwitch(from.fake_stack, nullptr, nullptr);
}

// A context on a pooled stack that runs `entry` with `arg` when first switched to.
class Coroutine {
 public:
  Coroutine(StackPool& pool, ContextEntry entry, void* arg) : pool_(pool) {
    stack_ = pool.Allocate();
    side_.size = stack_.size;
    side_.bottom = static_cast<char*>(stack_.sp) - stack_.size;
    AsanUnpoison(side_.bottom, side_.size);
    MakeContext(side_.ctx, stack_, entry, arg, &side_);
  }
  ~Coroutine() { pool_.Release(stack_); }
  Side& side() { return side_; }

 private:
  StackPool& pool_;
  boost::context::stack_context stack_;
  Side side_;
};

// First thing a new context does: tell ASan it landed and, when the thread
// started it, learn the thread's stack.
void Started(Side* from_thread) {
  Side ignored;
  Side* from = from_thread != nullptr ? from_thread : &ignored;
  AsanFinishSwitch(nullptr, &from->bottom, &from->size);
}

// Last thing: the context's stack dies; continue in `to`.
Context* Ending(Side& to) {
  AsanStartSwitch(nullptr, to.bottom, to.size);
  return &to.ctx;
}

#if defined(__x86_64__)
// The switch as an out-of-line call, so the assembly below can call it.
extern "C" __attribute__((noinline, used)) void benchfs_test_switch(Side* from, Side* to) {
  Switch(*from, *to);
}

// test_switch_with_values(Side* from, Side* to, uint64_t out[8]) loads known
// values into rbx, rbp, r12-r15, records rsp in out[6], switches, then stores
// the six registers in out[0..5] and rsp in out[7].
// test_switch_clobbering(Side* from, Side* to) fills the same registers with
// other values and switches (the other side of the test).
asm(R"(
  .text
  .p2align 4
  .type test_switch_with_values, @function
test_switch_with_values:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  pushq %rdx
  movabsq $0x1111111111111111, %rbx
  movabsq $0x2222222222222222, %rbp
  movabsq $0x3333333333333333, %r12
  movabsq $0x4444444444444444, %r13
  movabsq $0x5555555555555555, %r14
  movabsq $0x6666666666666666, %r15
  movq %rsp, 48(%rdx)
  call benchfs_test_switch
  movq (%rsp), %rdx
  movq %rbx, 0(%rdx)
  movq %rbp, 8(%rdx)
  movq %r12, 16(%rdx)
  movq %r13, 24(%rdx)
  movq %r14, 32(%rdx)
  movq %r15, 40(%rdx)
  movq %rsp, 56(%rdx)
  popq %rdx
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size test_switch_with_values, .-test_switch_with_values

  .p2align 4
  .type test_switch_clobbering, @function
test_switch_clobbering:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  movabsq $-0x2152411021524111, %rbx
  movq %rbx, %rbp
  movq %rbx, %r12
  movq %rbx, %r13
  movq %rbx, %r14
  movq %rbx, %r15
  call benchfs_test_switch
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size test_switch_clobbering, .-test_switch_clobbering
)");
extern "C" void test_switch_with_values(Side* from, Side* to, uint64_t* out);
extern "C" void test_switch_clobbering(Side* from, Side* to);

struct RegisterTest {
  Side thread;
  Side* other = nullptr;
  int rounds = 0;
  bool done = false;
};

Context* ClobberUntilDone(void* arg, void* self) {
  auto* t = static_cast<RegisterTest*>(arg);
  Started(&t->thread);
  while (!t->done) {
    ++t->rounds;
    test_switch_clobbering(static_cast<Side*>(self), &t->thread);
  }
  return Ending(t->thread);
}

TEST(ContextSwitch, CalleeSavedRegistersAndStackPointerSurvive) {
  StackPool pool(64 * 1024, 4);
  RegisterTest t;
  Coroutine other(pool, &ClobberUntilDone, &t);
  for (int i = 0; i < 100; ++i) {
    uint64_t out[8] = {};
    test_switch_with_values(&t.thread, &other.side(), out);
    EXPECT_EQ(out[0], 0x1111111111111111u) << "rbx";
    EXPECT_EQ(out[1], 0x2222222222222222u) << "rbp";
    EXPECT_EQ(out[2], 0x3333333333333333u) << "r12";
    EXPECT_EQ(out[3], 0x4444444444444444u) << "r13";
    EXPECT_EQ(out[4], 0x5555555555555555u) << "r14";
    EXPECT_EQ(out[5], 0x6666666666666666u) << "r15";
    EXPECT_EQ(out[6], out[7]) << "rsp";
  }
  EXPECT_EQ(t.rounds, 100);
  t.done = true;
  Switch(t.thread, other.side());  // it ends
}
#endif

struct StartTest {
  Side thread;
  void* a = nullptr;
  void* b = nullptr;
  uintptr_t frame = 1;
};

__attribute__((noinline)) Context* RecordStart(void* a, void* b) {
  auto* t = static_cast<StartTest*>(a);
  Started(&t->thread);
  t->a = a;
  t->b = b;
  t->frame = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  return Ending(t->thread);
}

TEST(ContextSwitch, NewContextGetsItsArgumentsOnAnAlignedStack) {
  StackPool pool(64 * 1024, 4);
  StartTest t;
  Coroutine c(pool, &RecordStart, &t);
  Switch(t.thread, c.side());
  EXPECT_EQ(t.a, &t);
  EXPECT_EQ(t.b, &c.side());
  // The frame address is the entry's stack pointer at the call less the
  // pushed frame pointer: 16-byte aligned when the call was (the ABI's rule).
  EXPECT_EQ(t.frame % 16, 0u);
  EXPECT_GE(t.frame, reinterpret_cast<uintptr_t>(c.side().bottom));
  EXPECT_LT(t.frame, reinterpret_cast<uintptr_t>(c.side().bottom) + c.side().size);
}

// A ring: the thread resumes context 0, context i resumes i+1, the last one
// resumes the thread. Each checks data on its own stack after every switch.
struct Ring {
  Side thread;
  std::vector<Side*> sides;
  std::vector<int> rounds;
  std::string trace;
  int laps = 0;
  bool finish = false;
  size_t corrupted = 0;
};

Side& NextInRing(Ring& r, size_t i) { return i + 1 < r.sides.size() ? *r.sides[i + 1] : r.thread; }

Context* RingMember(void* arg, void* index) {
  auto* r = static_cast<Ring*>(arg);
  const size_t i = reinterpret_cast<uintptr_t>(index);
  Started(i == 0 ? &r->thread : nullptr);
  volatile uint64_t mine[16];
  for (auto& v : mine) v = i * 0x0101010101010101u;
  while (!r->finish) {
    ++r->rounds[i];
    r->trace += static_cast<char>('a' + i);
    Switch(*r->sides[i], NextInRing(*r, i));
    for (auto& v : mine) r->corrupted += v != i * 0x0101010101010101u;
  }
  return Ending(NextInRing(*r, i));
}

TEST(ContextSwitch, ManyContextsPassControlRoundARing) {
  constexpr size_t kContexts = 16;
  constexpr int kLaps = 1000;
  StackPool pool(64 * 1024, kContexts);
  Ring r;
  r.rounds.assign(kContexts, 0);
  std::vector<boost::context::stack_context> stacks;
  std::vector<Side> sides(kContexts);
  for (size_t i = 0; i < kContexts; ++i) {
    stacks.push_back(pool.Allocate());
    sides[i].size = stacks[i].size;
    sides[i].bottom = static_cast<char*>(stacks[i].sp) - stacks[i].size;
    AsanUnpoison(sides[i].bottom, sides[i].size);
    MakeContext(sides[i].ctx, stacks[i], &RingMember, &r, reinterpret_cast<void*>(i));
    r.sides.push_back(&sides[i]);
  }
  for (int lap = 0; lap < kLaps; ++lap) Switch(r.thread, *r.sides[0]);
  r.finish = true;
  Switch(r.thread, *r.sides[0]);  // each member ends into the next; the last into the thread
  for (auto& s : stacks) pool.Release(s);
  for (size_t i = 0; i < kContexts; ++i) EXPECT_EQ(r.rounds[i], kLaps) << "context " << i;
  EXPECT_EQ(r.corrupted, 0u);
  ASSERT_EQ(r.trace.size(), kContexts * kLaps);
  for (size_t k = 0; k < r.trace.size(); ++k) {
    ASSERT_EQ(r.trace[k], static_cast<char>('a' + k % kContexts)) << "at switch " << k;
  }
}

// A context throws after being resumed, with the thread inside a try block
// of its own; each side catches only its own exception.
struct Throwing {
  Side thread;
  Side* self = nullptr;
  std::string caught;
};

[[noreturn]] __attribute__((noinline)) void ThrowAfterResume(Throwing& t) {
  Switch(*t.self, t.thread);
  throw std::runtime_error("from the context");
}

Context* ThrowAndCatch(void* arg, void* self) {
  auto* t = static_cast<Throwing*>(arg);
  Started(&t->thread);
  t->self = static_cast<Side*>(self);
  try {
    ThrowAfterResume(*t);
  } catch (const std::runtime_error& e) {
    t->caught = e.what();
  }
  return Ending(t->thread);
}

TEST(ContextSwitch, ExceptionsStayOnTheirOwnStack) {
  StackPool pool(64 * 1024, 4);
  Throwing t;
  Coroutine c(pool, &ThrowAndCatch, &t);
  std::string thread_caught;
  try {
    Switch(t.thread, c.side());  // the context switches back before it throws
    EXPECT_TRUE(t.caught.empty());
    Switch(t.thread, c.side());  // it throws, catches and ends
    EXPECT_EQ(t.caught, "from the context");
    throw std::logic_error("from the thread");
  } catch (const std::logic_error& e) {
    thread_caught = e.what();
  }
  EXPECT_EQ(thread_caught, "from the thread");
}

}  // namespace
}  // namespace benchfs
