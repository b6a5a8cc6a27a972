// The store's SQLite schema and its version.
//
// The schema is documented for users of `vcf-agent sql` in docs/store.md; the readable view
// `variant_view` is the stable surface for queries. kSchemaVersion goes up with every change of
// the tables; a store written by a newer vcf-agent (a higher version) is refused, never guessed at.
#pragma once

#include <string_view>

namespace vcfagent::store {

inline constexpr int kSchemaVersion = 1;

// Statements that create every table, index and view of an empty store.
std::string_view SchemaSql();

}  // namespace vcfagent::store
