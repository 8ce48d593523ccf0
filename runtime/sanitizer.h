// SPDX-License-Identifier: BSD-3-Clause
// Tells AddressSanitizer about fiber stack switches so it does not mistake a
// switch for stack corruption. Compiles to nothing without ASan.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define BENCHFS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCHFS_ASAN 1
#endif
#endif

#if defined(BENCHFS_ASAN)
extern "C" {
void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom, size_t size);
void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** bottom_old,
                                     size_t* size_old);
void __asan_unpoison_memory_region(void const volatile* addr, size_t size);
}
#endif

namespace benchfs {

// Call just before switching to the stack [bottom, bottom+size). Pass
// fake_stack_save = nullptr when the current stack is about to die.
inline void AsanStartSwitch([[maybe_unused]] void** fake_stack_save,
                            [[maybe_unused]] const void* bottom,
                            [[maybe_unused]] size_t size) {
#if defined(BENCHFS_ASAN)
  __sanitizer_start_switch_fiber(fake_stack_save, bottom, size);
#endif
}

// Call first thing after a switch lands; reports the stack we came from.
inline void AsanFinishSwitch([[maybe_unused]] void* fake_stack_save,
                             [[maybe_unused]] const void** bottom_old,
                             [[maybe_unused]] size_t* size_old) {
#if defined(BENCHFS_ASAN)
  __sanitizer_finish_switch_fiber(fake_stack_save, bottom_old, size_old);
#endif
}

// Clears stale poison (left by frames that never returned) from a reused stack.
inline void AsanUnpoison([[maybe_unused]] const void* addr, [[maybe_unused]] size_t size) {
#if defined(BENCHFS_ASAN)
  __asan_unpoison_memory_region(addr, size);
#endif
}

}  // namespace benchfs
