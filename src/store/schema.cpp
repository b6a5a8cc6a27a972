#include "store/schema.h"

namespace vcfagent::store {

std::string_view SchemaSql() {
  return R"SQL(
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE files(
  file_id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  fingerprint TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  sample_count INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('loading', 'complete')),
  records_done INTEGER NOT NULL DEFAULT 0,
  alleles_done INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  completed_at TEXT,
  header TEXT NOT NULL
);

CREATE TABLE contigs(
  chrom_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  length INTEGER,
  max_span INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE samples(
  sample_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  family TEXT,
  father TEXT,
  mother TEXT,
  sex TEXT CHECK (sex IN ('male', 'female')),
  phenotype TEXT CHECK (phenotype IN ('affected', 'unaffected'))
);

CREATE TABLE sample_files(
  file_id INTEGER NOT NULL REFERENCES files(file_id),
  sample_id INTEGER NOT NULL REFERENCES samples(sample_id),
  column_index INTEGER NOT NULL,
  PRIMARY KEY (file_id, sample_id)
) WITHOUT ROWID;

CREATE TABLE genes(
  gene_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE variants(
  variant_id INTEGER PRIMARY KEY,
  chrom_id INTEGER NOT NULL REFERENCES contigs(chrom_id),
  pos INTEGER NOT NULL,
  end_pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  alt TEXT NOT NULL,
  rsid TEXT,
  qual REAL,
  filter TEXT,
  class INTEGER NOT NULL,
  allele_index INTEGER NOT NULL,
  n_alt_alleles INTEGER NOT NULL,
  info TEXT,
  af REAL,
  gene_id INTEGER REFERENCES genes(gene_id),
  consequence TEXT,
  impact INTEGER NOT NULL DEFAULT 0,
  clnsig TEXT,
  annotations TEXT,
  n_het INTEGER NOT NULL DEFAULT 0,
  n_hom_alt INTEGER NOT NULL DEFAULT 0,
  n_missing INTEGER NOT NULL DEFAULT 0,
  n_called INTEGER NOT NULL DEFAULT 0,
  dp_sum INTEGER NOT NULL DEFAULT 0,
  dp_n INTEGER NOT NULL DEFAULT 0,
  gq_sum INTEGER NOT NULL DEFAULT 0,
  gq_n INTEGER NOT NULL DEFAULT 0,
  file_id INTEGER NOT NULL REFERENCES files(file_id)
);
CREATE UNIQUE INDEX variants_allele ON variants(chrom_id, pos, ref, alt);
CREATE INDEX variants_gene ON variants(gene_id) WHERE gene_id IS NOT NULL;

CREATE TABLE variant_genes(
  gene_id INTEGER NOT NULL REFERENCES genes(gene_id),
  variant_id INTEGER NOT NULL REFERENCES variants(variant_id),
  PRIMARY KEY (gene_id, variant_id)
) WITHOUT ROWID;

-- The files that have a variant besides the one that introduced it (variants.file_id).
CREATE TABLE variant_files(
  variant_id INTEGER NOT NULL REFERENCES variants(variant_id),
  file_id INTEGER NOT NULL REFERENCES files(file_id),
  PRIMARY KEY (variant_id, file_id)
) WITHOUT ROWID;

CREATE TABLE genotypes(
  variant_id INTEGER NOT NULL REFERENCES variants(variant_id),
  sample_id INTEGER NOT NULL REFERENCES samples(sample_id),
  file_id INTEGER NOT NULL REFERENCES files(file_id),
  gt TEXT NOT NULL,
  zygosity INTEGER NOT NULL,
  phased INTEGER NOT NULL,
  dp INTEGER,
  gq INTEGER,
  ad TEXT,
  PRIMARY KEY (variant_id, sample_id)
) WITHOUT ROWID;
-- No (sample_id, variant_id) index: it would add a third to the store's size. A sample's
-- variants are found from the variant side (a primary-key probe per variant, in position order)
-- or from the in-memory cohort graph.

CREATE VIEW variant_view AS
SELECT v.variant_id, c.name AS chrom, v.pos, v.end_pos, v.ref, v.alt, v.rsid, v.qual, v.filter,
       CASE v.class WHEN 0 THEN 'snv' WHEN 1 THEN 'mnv' WHEN 2 THEN 'insertion'
                    WHEN 3 THEN 'deletion' WHEN 4 THEN 'complex' ELSE 'symbolic' END AS class,
       v.af, g.name AS gene, v.consequence,
       CASE v.impact WHEN 1 THEN 'MODIFIER' WHEN 2 THEN 'LOW' WHEN 3 THEN 'MODERATE'
                     WHEN 4 THEN 'HIGH' ELSE NULL END AS impact,
       v.clnsig, v.n_het, v.n_hom_alt, v.n_missing, v.n_called,
       CASE WHEN v.n_called > 0 THEN (v.n_het + 2.0 * v.n_hom_alt) / (2.0 * v.n_called) END
         AS cohort_af,
       v.info, v.annotations
FROM variants v JOIN contigs c USING (chrom_id) LEFT JOIN genes g USING (gene_id);

CREATE VIEW genotype_view AS
SELECT gt.variant_id, s.name AS sample, gt.gt,
       CASE gt.zygosity WHEN 1 THEN 'het' WHEN 2 THEN 'hom-alt' ELSE 'missing' END AS zygosity,
       gt.phased, gt.dp, gt.gq, gt.ad
FROM genotypes gt JOIN samples s USING (sample_id);
)SQL";
}

}  // namespace vcfagent::store
