#include "deepctl/layer/layer.hpp"

#include "deepctl/core/error.hpp"

namespace deepctl {

void check_batch(const std::string& layer, const LayerData& data, Index rows) {
  if (data.batch != rows)
    throw InputError("layer " + layer + ": data was made for batch " + std::to_string(data.batch) +
                     " but the input has " + std::to_string(rows) + " rows");
}

}  // namespace deepctl
