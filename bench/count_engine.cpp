// SPDX-License-Identifier: BSL-1.0
// siocodec_count's engine operations, in a translation unit of their own (count.hpp says why).
#include "count.hpp"
#include "engine_ops.hpp"

#include <vector>

namespace bench::count {

std::vector<op_entry> engine_operations() {
  return {entry<engine_send_op>(), entry<engine_recv_op>()};
}

}  // namespace bench::count
