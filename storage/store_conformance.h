// The Store conformance suite: the behaviour storage/store.h promises, written only against the
// Store interface so that every backend (SQLite today, PostgreSQL next) runs the same cases.
//
// A backend joins by instantiating the suite in its own test file:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Sqlite, StoreConformanceTest,
//       ::testing::Values(StoreUnderTest{"File", [] { return MakeFreshFileStore(); }}),
//       StoreUnderTestName);
//
// The factory is called once per test and must return a fresh, migrated, empty store (or
// nullptr after reporting why with ADD_FAILURE, which fails the test). The store is destroyed
// at the end of the test. Tests may use several threads against one store.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "storage/store.h"

namespace okrbot {

// Returns a fresh, migrated, empty store.
using StoreFactory = std::function<std::unique_ptr<Store>()>;

// One backend configuration of the suite; `name` becomes part of the test names.
struct StoreUnderTest {
  std::string name;  // letters, digits and '_' only (gtest parameter name)
  StoreFactory make_store;
};

// So that gtest prints the backend name instead of the bytes of a std::function.
void PrintTo(const StoreUnderTest& store_under_test, std::ostream* out);

// Name generator for INSTANTIATE_TEST_SUITE_P.
std::string StoreUnderTestName(const ::testing::TestParamInfo<StoreUnderTest>& info);

class StoreConformanceTest : public ::testing::TestWithParam<StoreUnderTest> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }

 private:
  std::unique_ptr<Store> store_;
};

}  // namespace okrbot
