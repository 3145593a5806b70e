// SPDX-License-Identifier: BSL-1.0
// The client engines' growable buffer: a vector over a memory_resource (null: the global
// operator new, as std::vector). Growth is try_*: false when the resource has no room, with the
// buffer unchanged, which std::vector cannot report under -fno-exceptions. Elements are bytes
// and records (copied with memcpy) or the engines' own records holding rvectors (moved, which
// cannot fail). It is also smaller than libstdc++'s string and vector code (docs/embedded.md).
#ifndef SIOCODEC_DETAIL_RVECTOR_HPP
#define SIOCODEC_DETAIL_RVECTOR_HPP

#include <siocodec/config.hpp>
#include <siocodec/memory.hpp>

#include <cstddef>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace detail {

/// Carries a memory_resource where a component takes an allocator (socketio::basic_decoder,
/// basic_codec): with it, their storage is an rvector over the resource (decoder_storage_t),
/// whose failure they report as out_of_memory.
template <class T>
struct resource_allocator {
  using value_type = T;
  memory_resource* mr = nullptr;
  resource_allocator() noexcept = default;
  explicit resource_allocator(memory_resource* m) noexcept : mr(m) {}
  template <class U>
  resource_allocator(const resource_allocator<U>& o) noexcept : mr(o.mr) {}  // NOLINT: rebind
};

// What the untyped part of rvector needs to know of an element type: its size and alignment,
// the least capacity a first growth takes, and how to relocate elements that are not trivially
// copyable (null: memcpy).
struct rvector_layout {
  std::size_t size;
  std::size_t align;
  std::size_t min_capacity;
  void (*relocate)(void* to, void* from, std::size_t n) noexcept;
};

// The storage of every rvector, with the growth, release and erasure that do not depend on the
// element type in one non-template copy: a client links a dozen element types (bytes, records,
// namespaces), and a copy of that code per type cost flash (docs/embedded.md). The inlined fast
// paths (room already there) are the typed rvector's.
class rvector_base {
 public:
  std::size_t size() const noexcept { return n_; }
  std::size_t capacity() const noexcept { return cap_; }
  bool empty() const noexcept { return n_ == 0; }
  memory_resource* resource() const noexcept { return mr_; }

 protected:
  explicit rvector_base(memory_resource* mr) noexcept : mr_(mr) {}
  rvector_base(const rvector_base&) = delete;
  rvector_base& operator=(const rvector_base&) = delete;
  ~rvector_base() = default;

  // Takes o's storage (this one holds none).
  void steal(rvector_base& o) noexcept {
    p_ = o.p_;
    n_ = o.n_;
    cap_ = o.cap_;
    mr_ = o.mr_;
    o.p_ = nullptr;
    o.n_ = o.cap_ = 0;
  }
  void swap_base(rvector_base& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    std::swap(cap_, o.cap_);
    std::swap(mr_, o.mr_);
  }
  // Frees the storage, whose elements are already destroyed.
  SIOCODEC_NOINLINE void free_storage(const rvector_layout& l) noexcept {
    if (p_ != nullptr) {
#if SIOCODEC_ENGINE_HEAP
      if (mr_ == nullptr) {
        ::operator delete(p_);
      } else
#endif
      {
        mr_->deallocate(p_, cap_ * l.size, l.align);
      }
    }
    p_ = nullptr;
    n_ = cap_ = 0;
  }
  // Room for `n` elements in all; false (nothing changed) when the resource has none.
  SIOCODEC_NOINLINE bool reserve_raw(std::size_t n, const rvector_layout& l) noexcept {
    if (n <= cap_) return true;
    if (n > ~std::size_t{0} / l.size) return false;
    void* q;
    if (mr_ != nullptr) {
      q = mr_->allocate(n * l.size, l.align);
      if (q == nullptr) return false;
    } else {
#if SIOCODEC_ENGINE_HEAP
      q = ::operator new(n* l.size);
#else
      return false;  // no memory given: refused by open() before any growth (config.hpp)
#endif
    }
    const std::size_t n_keep = n_;
    if (n_ != 0) {
      if (l.relocate != nullptr) {
        l.relocate(q, p_, n_);
      } else {
        std::memcpy(q, p_, n_ * l.size);
      }
    }
    free_storage(l);
    p_ = q;
    n_ = n_keep;
    cap_ = n;
    return true;
  }
  // Room for `extra` more elements, growing geometrically (as std::vector); the caller checked
  // that there is not enough.
  SIOCODEC_NOINLINE bool grow_raw(std::size_t extra, const rvector_layout& l) noexcept {
    if (extra > ~std::size_t{0} - n_) return false;
    const std::size_t need = n_ + extra;
    std::size_t want = cap_ > ~std::size_t{0} / 2 ? need : cap_ * 2;
    if (want < need) want = need;
    if (want < l.min_capacity) want = l.min_capacity;
    // With a bounded resource, doubling may not fit where the exact size does.
    return reserve_raw(want, l) || (want != need && reserve_raw(need, l));
  }
  // Appends `k` trivially copyable elements from `s`: the out-of-line form of try_append and
  // try_push_back that SIOCODEC_SIZE_FIRST uses (one copy for every element type).
  SIOCODEC_NOINLINE bool append_raw(const void* s, std::size_t k,
                                    const rvector_layout& l) noexcept {
    if (k > cap_ - n_ && !grow_raw(k, l)) return false;
    if (k != 0) std::memcpy(static_cast<unsigned char*>(p_) + n_ * l.size, s, k * l.size);
    n_ += k;
    return true;
  }
  // Drops the first `k` elements (trivially copyable ones).
  void erase_front_raw(std::size_t k, std::size_t size) noexcept {
    if (k >= n_) {
      n_ = 0;
      return;
    }
    std::memmove(p_, static_cast<unsigned char*>(p_) + k * size, (n_ - k) * size);
    n_ -= k;
  }
  // Drops element `i` (trivially copyable ones).
  void erase_at_raw(std::size_t i, std::size_t size) noexcept {
    unsigned char* at = static_cast<unsigned char*>(p_) + i * size;
    std::memmove(at, at + size, (n_ - i - 1) * size);
    --n_;
  }

  void* p_ = nullptr;
  std::size_t n_ = 0;
  std::size_t cap_ = 0;
  memory_resource* mr_ = nullptr;
};

template <class T>
class rvector : public rvector_base {
  static constexpr bool trivial = std::is_trivially_copyable<T>::value;
  static_assert(trivial || std::is_nothrow_move_constructible<T>::value,
                "rvector relocates elements by moving them");

 public:
  using value_type = T;

  explicit rvector(memory_resource* mr = nullptr) noexcept : rvector_base(mr) {}
  template <class U>
  explicit rvector(const resource_allocator<U>& a) noexcept : rvector_base(a.mr) {}
  rvector(const rvector&) = delete;
  rvector& operator=(const rvector&) = delete;
  rvector(rvector&& o) noexcept : rvector_base(nullptr) { steal(o); }
  rvector& operator=(rvector&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  ~rvector() { release(); }

  T* data() noexcept { return static_cast<T*>(p_); }
  const T* data() const noexcept { return static_cast<const T*>(p_); }
  T* begin() noexcept { return data(); }
  T* end() noexcept { return data() + n_; }
  const T* begin() const noexcept { return data(); }
  const T* end() const noexcept { return data() + n_; }
  T& operator[](std::size_t i) noexcept { return data()[i]; }
  const T& operator[](std::size_t i) const noexcept { return data()[i]; }
  T& back() noexcept { return data()[n_ - 1]; }
  resource_allocator<T> get_allocator() const noexcept { return resource_allocator<T>(mr_); }
  std::size_t max_size() const noexcept { return ~std::size_t{0} / sizeof(T); }
  void swap(rvector& o) noexcept { swap_base(o); }

  // The std::vector calls of basic_decoder, made only within the capacity that try_reserve()
  // (through reserve()) gave: the decoder checks capacity() after reserve().
  void reserve(std::size_t n) noexcept { (void)try_reserve(n); }
  void resize(std::size_t n) noexcept { (void)try_resize(n); }
  void push_back(const T& v) noexcept { (void)try_push_back(v); }
  template <class It>
  void insert(T* at, It first, It last) noexcept {
    static_assert(trivial, "bytes and plain records only");
    if (at != end() || !try_grow(static_cast<std::size_t>(last - first))) return;
    for (; first != last; ++first) data()[n_++] = static_cast<T>(*first);
  }

  void clear() noexcept { destroy(0, n_); }
  void pop_back() noexcept { destroy(n_ - 1, n_); }
  /// Frees the storage (the resource stays).
  void release() noexcept {
    destroy(0, n_);
    free_storage(layout);
  }

  /// Room for `n` elements in all; false (nothing changed) when the resource has none.
  bool try_reserve(std::size_t n) noexcept { return n <= cap_ || reserve_raw(n, layout); }
  /// `n` more elements fit (growing geometrically, as std::vector).
  bool try_grow(std::size_t extra) noexcept {
    return extra <= cap_ - n_ || grow_raw(extra, layout);
  }
  bool try_push_back(const T& v) noexcept {
    static_assert(trivial, "try_emplace_back() for records that own storage");
#if SIOCODEC_SIZE_FIRST
    return append_raw(&v, 1, layout);
#else
    if (!try_grow(1)) return false;
    data()[n_++] = v;
    return true;
#endif
  }
  template <class... Args>
  bool try_emplace_back(Args&&... args) noexcept {
    if (!try_grow(1)) return false;
    ::new (static_cast<void*>(data() + n_)) T(std::forward<Args>(args)...);
    ++n_;
    return true;
  }
  bool try_append(const T* s, std::size_t k) noexcept {
    static_assert(trivial, "bytes and plain records only");
#if SIOCODEC_SIZE_FIRST
    return append_raw(s, k, layout);
#else
    if (!try_grow(k)) return false;
    if (k != 0) std::memcpy(data() + n_, s, k * sizeof(T));
    n_ += k;
    return true;
#endif
  }
  /// New elements are left uninitialized (the encoders write them).
  bool try_resize(std::size_t n) noexcept {
    static_assert(trivial, "bytes and plain records only");
    if (n > n_ && !try_grow(n - n_)) return false;
    n_ = n;
    return true;
  }
  /// Drops the first `k` elements.
  void erase_front(std::size_t k) noexcept {
    static_assert(trivial, "bytes and plain records only");
    erase_front_raw(k, sizeof(T));
  }
  void erase_at(std::size_t i) noexcept {
    if constexpr (trivial) {
      erase_at_raw(i, sizeof(T));
    } else {
      // The element's storage is freed, then the later ones are relocated down by one with the
      // function growth uses: no move assignment of the type is linked (a namespace record's is
      // ten buffers' worth of code).
      T* p = data();
      p[i].~T();
      relocate(p + i, p + i + 1, n_ - i - 1);
      --n_;
    }
  }

 private:
  // Moves `n` elements to uninitialized storage and ends the originals' lifetimes.
  static void relocate(void* to, void* from, std::size_t n) noexcept {
    T* d = static_cast<T*>(to);
    T* s = static_cast<T*>(from);
    for (std::size_t i = 0; i < n; ++i) {
      ::new (static_cast<void*>(d + i)) T(std::move(s[i]));
      s[i].~T();
    }
  }
  // 32 bytes at least, as std::string's first heap block (twice its 15-byte inline buffer):
  // short texts (names, ids, control packets) then rarely grow a second time.
  static constexpr rvector_layout layout{sizeof(T), alignof(T),
                                         sizeof(T) >= 16 ? 2 : 32 / sizeof(T),
                                         trivial ? nullptr : &rvector::relocate};

  // Ends the lifetimes of elements [from, to), which must be the last ones.
  void destroy(std::size_t from, std::size_t to) noexcept {
    if constexpr (!trivial) {
      T* p = data();
      for (std::size_t i = from; i < to; ++i) p[i].~T();
    }
    n_ = from;
  }
};

/// basic_decoder's and basic_codec's storage: std::vector, or an rvector over the resource that
/// a resource_allocator carries.
template <class T, class A>
struct decoder_storage {
  using type = std::vector<T, A>;
};
template <class T>
struct decoder_storage<T, resource_allocator<T>> {
  using type = rvector<T>;
};
template <class T, class A>
using decoder_storage_t = typename decoder_storage<T, A>::type;

/// A byte string over a memory_resource.
class rstring : public rvector<char> {
 public:
  using rvector<char>::rvector;
  std::string_view view() const noexcept { return {data(), size()}; }
  operator std::string_view() const noexcept { return view(); }  // NOLINT: a string's view
  bool try_assign(std::string_view s) noexcept {
    clear();
    return try_append(s.data(), s.size());
  }
  bool try_append(std::string_view s) noexcept {
    return rvector<char>::try_append(s.data(), s.size());
  }
  using rvector<char>::try_append;
  friend bool operator==(const rstring& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(std::string_view a, const rstring& b) noexcept { return a == b.view(); }
  friend bool operator!=(const rstring& a, std::string_view b) noexcept { return a.view() != b; }
  friend bool operator!=(std::string_view a, const rstring& b) noexcept { return a != b.view(); }
};

/// Frees `c`'s storage when it is over `limit` bytes (the engines' max_retained_bytes).
template <class T>
void release_if_over(rvector<T>& c, std::size_t limit) noexcept {
  if (c.capacity() > limit / sizeof(T)) c.release();
}
inline void release_if_over(rstring& c, std::size_t limit) noexcept {
  if (c.capacity() > limit) c.release();
}

}  // namespace detail
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_RVECTOR_HPP
