#include "collatz_steps.h"
#ifdef EXERCISM_TEST_SUITE
#include <catch2/catch.hpp>
#else
#include "test/catch.hpp"
#endif

#include <stdexcept>

TEST_CASE("one_takes_no_steps")
{
    REQUIRE(collatz_steps::steps(1) == 0);
}

#if defined(EXERCISM_RUN_ALL_TESTS)
TEST_CASE("an_even_number_halves")
{
    REQUIRE(collatz_steps::steps(16) == 4);
}

TEST_CASE("twelve_takes_nine_steps")
{
    REQUIRE(collatz_steps::steps(12) == 9);
}

TEST_CASE("a_long_sequence")
{
    REQUIRE(collatz_steps::steps(27) == 111);
}

TEST_CASE("zero_is_rejected")
{
    REQUIRE_THROWS_AS(collatz_steps::steps(0), std::domain_error);
}

TEST_CASE("negative_numbers_are_rejected")
{
    REQUIRE_THROWS_AS(collatz_steps::steps(-4), std::domain_error);
}
#endif
