// Catch2 printers for retention types, so a failed CHECK shows
// "Unsafe == NotFound" instead of "{?} == {?}". Header-only; tests only.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "base/status.h"

namespace Catch {

template <>
struct StringMaker<retention::Status::Code> {
  static std::string convert(retention::Status::Code code) {
    return retention::CodeName(code);
  }
};

template <>
struct StringMaker<retention::Status> {
  static std::string convert(const retention::Status& status) {
    return status.ToString();
  }
};

}  // namespace Catch
