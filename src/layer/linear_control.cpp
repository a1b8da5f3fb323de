#include "deepctl/layer/linear_control.hpp"

#include "deepctl/core/error.hpp"

namespace deepctl {

template <class S>
LinearControl<S>::LinearControl(Mat<S> A, Mat<S> B) : A_(std::move(A)), B_(std::move(B)) {
  if (A_.rows() == 0 || A_.rows() != A_.cols())
    throw InputError("linear_control: A must be square and non-empty, got " +
                     std::to_string(A_.rows()) + " x " + std::to_string(A_.cols()));
  if (B_.rows() != A_.rows() || B_.cols() == 0)
    throw InputError("linear_control: B must have " + std::to_string(A_.rows()) +
                     " rows and at least one column, got " + std::to_string(B_.rows()) + " x " +
                     std::to_string(B_.cols()));
}

template <class S>
std::string LinearControl<S>::describe() const {
  return "linear_control(" + std::to_string(A_.rows()) + " states, " + std::to_string(B_.cols()) +
         " controls)";
}

template <class S>
std::unique_ptr<LayerData> LinearControl<S>::make_data(Index batch) const {
  return std::make_unique<LayerData>(batch);
}

template <class S>
void LinearControl<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const {
  check_batch(describe(), data, x.rows());
  y.noalias() = x * A_.transpose();
  y.rowwise() += (B_ * theta).transpose();
}

template <class S>
void LinearControl<S>::vjp(LayerData&, CMatRef<S>, CVecRef<S>, CMatRef<S> p_next, MatRef<S> p,
                           VecRef<S> g) const {
  if (g.size() > 0) g.noalias() = B_.transpose() * p_next.colwise().sum().transpose();
  if (p.rows() > 0) p.noalias() = p_next * A_;
}

template <class S>
void LinearControl<S>::jvp(LayerData&, CMatRef<S>, CVecRef<S>, CMatRef<S> dx, CVecRef<S> dtheta,
                           MatRef<S> dy) const {
  dy.noalias() = dx * A_.transpose();
  dy.rowwise() += (B_ * dtheta).transpose();
}

template <class S>
void LinearControl<S>::init_params(Rng&, const Initializer&, VecRef<S> theta) const {
  theta.setZero();
}

template class LinearControl<float>;
template class LinearControl<double>;

}  // namespace deepctl
