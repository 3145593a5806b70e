// SPDX-License-Identifier: BSL-1.0
// Caller-provided memory for the client engines (docs/embedded.md, docs/memory.md): a two-call
// interface an application implements over whatever it has (a static array, an RTOS pool), and
// buffer_resource, a bounded first-fit allocator over one caller array. No global state.
#ifndef SIOCODEC_MEMORY_HPP
#define SIOCODEC_MEMORY_HPP

#include <siocodec/config.hpp>

#include <cstddef>
#include <cstdint>

SIOCODEC_BEGIN_NAMESPACE

/// Where an engine takes its storage from (engineio::client_options::memory,
/// socketio::client_options::memory). Unlike std::pmr::memory_resource it reports failure by
/// returning null, never by throwing: an engine that gets null closes its session with
/// errc::out_of_memory. The engines never ask for an alignment above alignof(std::max_align_t).
/// A resource must outlive every engine that uses it; an engine calls it from the calls made
/// on that engine only (one thread, as the engines themselves).
class memory_resource {
 public:
  /// `bytes` (> 0) aligned to `align` (a power of two), or null when it cannot.
  virtual void* allocate(std::size_t bytes, std::size_t align) noexcept = 0;
  /// Gives back a block allocate() returned, with the same bytes and align.
  virtual void deallocate(void* p, std::size_t bytes, std::size_t align) noexcept = 0;

 protected:
  memory_resource() = default;
  memory_resource(const memory_resource&) = default;
  memory_resource& operator=(const memory_resource&) = default;
  ~memory_resource() = default;  // not deleted through this interface
};

/// A memory_resource over one caller array: first fit over a free list kept in address order,
/// blocks split on allocation and merged with their free neighbours on deallocation, so that
/// the array does not fragment for the engines' pattern (a few buffers that grow and shrink).
/// Each block costs a header of header_bytes and is rounded up to `granule` bytes. An
/// allocation walks the free list (a handful of blocks for the engines); a deallocation walks it
/// up to the block's place. Running out returns null. Not thread-safe; no global state; the
/// array is not touched outside allocate/deallocate and must outlive the resource's users.
class buffer_resource final : public memory_resource {
 public:
  /// The unit of every block (and the largest alignment served).
  static constexpr std::size_t granule = alignof(std::max_align_t);

 private:
  struct block {
    std::size_t size;  // of the whole block, header included
    block* next;       // free blocks only
  };

 public:
  /// Bytes of bookkeeping in front of every block.
  static constexpr std::size_t header_bytes = (sizeof(block) + granule - 1) / granule * granule;

  /// Bytes a block serving `n` bytes takes from the array (memory bounds are sums of these).
  static constexpr std::size_t block_bytes(std::size_t n) noexcept {
    return header_bytes + (n == 0 ? granule : (n + granule - 1) / granule * granule);
  }

  /// Serves from `size` bytes at `buffer` (the part aligned to granule).
  buffer_resource(void* buffer, std::size_t size) noexcept {
    if (buffer == nullptr) return;
    // Pointer arithmetic from the caller's pointer (no integer-to-pointer cast).
    const std::size_t misalign = reinterpret_cast<std::uintptr_t>(buffer) % granule;
    const std::size_t pad = misalign == 0 ? 0 : granule - misalign;
    if (pad >= size) return;
    const std::size_t usable = (size - pad) / granule * granule;
    if (usable < header_bytes + granule) return;
    base_ = static_cast<unsigned char*>(buffer) + pad;
    free_ = reinterpret_cast<block*>(base_);
    free_->size = usable;
    free_->next = nullptr;
    capacity_ = usable;
  }
  buffer_resource(const buffer_resource&) = delete;
  buffer_resource& operator=(const buffer_resource&) = delete;

  void* allocate(std::size_t bytes, std::size_t align) noexcept override {
    if (align > granule || bytes > capacity_) return nullptr;
    const std::size_t need = block_bytes(bytes);
    block** link = &free_;
    for (block* b = free_; b != nullptr; link = &b->next, b = b->next) {
      if (b->size < need) continue;
      if (b->size - need >= header_bytes + granule) {
        // The front is served, the rest stays free: low holes are filled first and the
        // untouched end of the array stays in one piece.
        auto* rest = reinterpret_cast<block*>(reinterpret_cast<unsigned char*>(b) + need);
        rest->size = b->size - need;
        rest->next = b->next;
        *link = rest;
        b->size = need;
      } else {
        *link = b->next;
      }
      used_ += b->size;
      const auto reach = static_cast<std::size_t>(end_of(b) - base_);
      if (reach > peak_) peak_ = reach;
      return reinterpret_cast<unsigned char*>(b) + header_bytes;
    }
    return nullptr;
  }

  void deallocate(void* p, std::size_t, std::size_t) noexcept override {
    if (p == nullptr) return;
    auto* b = reinterpret_cast<block*>(static_cast<unsigned char*>(p) - header_bytes);
    used_ -= b->size;
    block* prev = nullptr;
    block* next = free_;
    while (next != nullptr && next < b) {
      prev = next;
      next = next->next;
    }
    b->next = next;
    if (next != nullptr && end_of(b) == reinterpret_cast<unsigned char*>(next)) {
      b->size += next->size;
      b->next = next->next;
    }
    if (prev == nullptr) {
      free_ = b;
    } else if (end_of(prev) == reinterpret_cast<unsigned char*>(b)) {
      prev->size += b->size;
      prev->next = b->next;
    } else {
      prev->next = b;
    }
  }

  /// Bytes of the array that blocks can use (after alignment).
  std::size_t capacity() const noexcept { return capacity_; }
  /// Bytes taken by the blocks in use now, headers included.
  std::size_t used() const noexcept { return used_; }
  /// How far into the array blocks have reached (holes included): an array of this size serves
  /// the same sequence of requests the same way, so a test run on a large array says how large
  /// the product's must be (docs/embedded.md).
  std::size_t peak() const noexcept { return peak_; }

 private:
  static unsigned char* end_of(block* b) noexcept {
    return reinterpret_cast<unsigned char*>(b) + b->size;
  }

  unsigned char* base_ = nullptr;
  block* free_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
  std::size_t peak_ = 0;
};

SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_MEMORY_HPP
