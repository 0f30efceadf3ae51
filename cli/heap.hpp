// heap.hpp - ask the kernel to back the heap the knowledge base is loaded into with
// transparent huge pages.
#pragma once

#include <cstddef>

namespace pft::cli {

struct HeapReport {
    bool applied = false;       // the madvise(MADV_HUGEPAGE) call succeeded
    std::size_t reserved = 0;   // bytes of heap it covers
};

// Once per process (later calls return the first result). Sets malloc's top pad so the
// heap grows in steps of `pad` bytes, grows it once, and marks the free top of the heap
// MADV_HUGEPAGE. Loading the knowledge base allocates ~3 MB in many small pieces; on a
// virtual machine each first touch of a 4 KiB page is a costly fault, and a 2 MiB page
// replaces 512 of them. Where transparent huge pages are off ("never") or the call fails
// nothing changes but the pad. Never changes anything outside this process.
HeapReport prepare_load_heap(std::size_t pad = std::size_t(8) << 20);

// The same for the calling thread's own malloc arena (glibc gives each thread of a
// process its own, in a 64 MiB-aligned mapping): marks it MADV_HUGEPAGE and grows it so
// that one 2 MiB-aligned range of it is untouched and ready. For the thread that loads the
// signatures while the main thread loads the rules. Does nothing unless prepare_load_heap
// applied, the C library is glibc, and the layout is the one expected; returns whether it
// applied.
bool prepare_thread_heap();

} // namespace pft::cli
