// heap.hpp - ask the kernel to back the heap the knowledge base is loaded into with
// transparent huge pages, for the time of the load.
#pragma once

#include <cstddef>

namespace pft::cli {

// Why the heap was not prepared (None when it was).
enum class HeapSkip { None, NotGlibc, OptedOut, LowMemory, MalloptRefused, MadviseRefused };

struct HeapReport {
    bool applied = false;        // the heap was grown and marked MADV_HUGEPAGE
    std::size_t reserved = 0;    // bytes of heap the mark covers
    bool head_set_aside = false; // the head below the first 2 MiB boundary was taken
    HeapSkip reason = HeapSkip::None;
    const char* skipped = "";    // the reason in words, for messages
};

// Once per process (later calls return the first result); glibc 2.33 or later only.
// Loading the knowledge base allocates ~3 MB in many small pieces; on a virtual machine
// each first touch of a 4 KiB page is a costly fault, and a 2 MiB page replaces 512 of
// them. So: malloc's top pad becomes `pad` (the heap grows in steps of that size), the
// heap is grown once, its free top is marked MADV_HUGEPAGE, the head below the first
// 2 MiB boundary is taken as a block that is never touched (address space only), and
// blocks up to 4 MiB stay on the heap. finish_load_heap() puts malloc's settings back.
// Skipped when PFTRIAGE_NO_HUGEPAGES is set (not "0"), when the host has less than
// 256 MiB of free memory (a huge page may make the kernel compact memory; a sick host
// should not pay for our 5 ms), and where the kernel refuses the mark. Where transparent
// huge pages are "never" the mark is accepted and has no effect.
HeapReport prepare_load_heap(std::size_t pad = std::size_t(8) << 20);

// The same for the calling thread's malloc arena (glibc gives a new thread an arena of its
// own while there are few: a 64 MiB-aligned mapping whose first 8 MiB are usable, given the
// pad above): marks it MADV_HUGEPAGE and takes its head below the first 2 MiB boundary. For
// the thread that loads the signatures while the main thread loads the rules. Does nothing
// unless prepare_load_heap applied and the layout is the one expected; returns whether it
// applied.
bool prepare_thread_heap();

// After the load: malloc's top pad and mmap threshold back to glibc's defaults (128 KiB),
// so that the probes' threads do not each start an 8 MiB arena and freed memory goes back
// to the kernel as before. The memory already marked stays as it is.
void finish_load_heap();

} // namespace pft::cli
