#!/usr/bin/env bash
# Runs the property suites against deliberately broken copies of the library and prints which test caught each
# mutant (docs/testing.md records the result). Nothing here ships: every mutant is applied to a throwaway clone
# of HEAD and the working tree is never touched.
#
#   scripts/mutants.sh                # every mutant
#   scripts/mutants.sh half-up ttl    # some of them
#   TRADESTORE_SEED=123 scripts/mutants.sh   # fixed seed for the properties (default: fresh per run)
set -euo pipefail
top=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
logs=$(mktemp -d -t tradestore-mutants-logs.XXXXXX)
trap 'rm -rf "$work"; echo; echo "Maven logs: $logs"' EXIT
git clone -q "$top" "$work/tradestore"
cd "$work/tradestore"

suites='ExactDecimalPropertyTest,Decimal18Test,DecimalMigrationTest,RollbackPropertyTest,OrderLifecycleModelTest,PatternCacheModelTest,CandleUpsertModelTest,TradingArithmeticTest,LinearizabilityTest,AccuracyArithmeticTest,ConcurrentDetectorsTest,TimeframeCheckTest'
main=src/main/java/io/tradestore

# name | file | perl substitution | what it breaks
mutants=$(cat <<'LIST'
commit-not-rollback|internal/SqliteEngine.java|s/execute\(c, "ROLLBACK"\);/execute(c, "COMMIT");/|a failed unit commits what it wrote instead of rolling back
savepoint-kept|internal/Engine.java|s/execute\(c, "ROLLBACK TO SAVEPOINT " \+ name\);/\/\/ savepoint never rolled back/|a failed nested unit keeps its writes
double-read-back|internal/Decimal18.java|s/v = BigDecimal\.valueOf\(negative \? -small : small, scale\);/v = BigDecimal.valueOf((negative ? -small : small) \/ Math.pow(10, scale));/|SQLite decimals are read back through a double
double-read-back-postgres|internal/DecimalBinding.java|s/Decimal18\.normalize\(ctx\.resultSet\(\)\.getBigDecimal\(ctx\.index\(\)\)\)/Decimal18.normalize(BigDecimal.valueOf(ctx.resultSet().getDouble(ctx.index())))/|PostgreSQL decimals are read back through a double
half-up|internal/Decimal18.java|s/exact\.setScale\(SCALE, RoundingMode\.HALF_EVEN\)/exact.setScale(SCALE, RoundingMode.HALF_UP)/|derived values (P&L, accuracy) round half-up
half-up-quotient|trading/Derived.java|s/RoundingMode\.HALF_EVEN/RoundingMode.HALF_UP/g|derived quotients (return %, average price) round half-up
negative-pad-uncomplemented|internal/Decimal18.java|s/if \(negative\) \{\n                d = 9 - d;\n            \}\n            if \(\(i & 1\) == 0\)/if (negative \&\& i < nibbles) {\n                d = 9 - d;\n            }\n            if ((i \& 1) == 0)/|a negative decimal's pad nibble is 0, not 9, so -92233720368.54775808 sorts below -92233720368.547758080000000001
negative-unterminated|internal/Decimal18.java|s/out\[out\.length - 1\] = \(byte\) 0xFF;/out[out.length - 1] = (byte) 0x00;/|a negative decimal's BLOB ends in 0x00, so -0.5 sorts below -0.51
sequence-not-carried|db-changelog/meta/release-4.yaml|s/UPDATE sqlite_sequence SET seq = \(SELECT seq FROM sqlite_sequence WHERE name = 'pattern_cache_release3'\)/UPDATE sqlite_sequence SET seq = seq/|release 4 forgets pattern_cache's AUTOINCREMENT high-water mark, so deleted ids come back
stale-put-applies|analytics/PatternCacheDao.java|s/PATTERN_CACHE\.DETECTED_AT\.le\(pattern\.detectedAt\(\)\)/PATTERN_CACHE.DETECTED_AT.isNotNull()/|a pattern put older than the cached detection replaces it (last write wins, not newest detection)
followed-not-short|analytics/Direction.java|s/case DOWN -> actualReturn\.negate\(\);/case DOWN -> actualReturn;/|following a DOWN prediction is scored as long, not short
ttl-off-by-one|analytics/PatternCacheDao.java|s/PATTERN_CACHE\.EXPIRES_AT\.gt\(tx\.now\(\)\)/PATTERN_CACHE.EXPIRES_AT.ge(tx.now())/|an entry is still a hit at the instant it expires
weeks-on-the-epoch-grid|market/Timeframe.java|s/W1\("1w", Duration\.ofDays\(7\), Instant\.parse\("1970-01-05T00:00:00Z"\)\)/W1("1w", Duration.ofDays(7))/|weekly candles open on the epoch's Thursdays instead of Mondays (Java side only)
weeks-on-the-epoch-grid-sql|db-changelog/meta/release-7.yaml|s/\(open_time - 345600000000\) % 604800000000/open_time % 604800000000/g|the database's CHECK puts weekly candles on the epoch's Thursdays (both engines)
unit-shared-across-threads|Tradestore.java|s/private final ThreadLocal<UnitOfWork> current = new ThreadLocal<>\(\);/private final ThreadLocal<UnitOfWork> current = new ThreadLocal<>() { volatile UnitOfWork shared; public UnitOfWork get() { return shared; } public void set(UnitOfWork u) { shared = u; } public void remove() { shared = null; } };/|the current unit of work is one field for all threads, not one per thread
LIST
)

run() {
  local log=$1 seed=""
  [ -n "${TRADESTORE_SEED:-}" ] && seed="-Dtradestore.seed=$TRADESTORE_SEED"
  rm -rf target/surefire-reports
  # A mutant must fail tests, not the build: a compile error or a run without reports is reported as such.
  mvn -B -ntp -q test -Dtest="$suites" -Dsurefire.failIfNoSpecifiedTests=false $seed >"$log" 2>&1 || true
  if ! ls target/surefire-reports/TEST-*.xml >/dev/null 2>&1; then
    echo "BUILD FAILED, no test ran (log: $log)"
    return
  fi
  # The failing test methods, from surefire's XML reports.
  python3 - <<'PY'
import glob, re
failed = []
for f in sorted(glob.glob('target/surefire-reports/TEST-*.xml')):
    xml = open(f, encoding='utf-8').read()
    for m in re.finditer(r'<testcase name="([^"]+)" classname="([^"]+)"[^>]*?(/>|>(.*?)</testcase>)', xml, re.S):
        if m.group(4) and ('<failure' in m.group(4) or '<error' in m.group(4)):
            name = m.group(2).split('.')[-1] + '#' + m.group(1).split('(')[0]
            if name not in failed:
                failed.append(name)
print(', '.join(failed) if failed else 'NOTHING')
PY
}

echo "baseline (no mutant): $(run "$logs/baseline.log")"
echo
echo "| mutant | what it breaks | caught by |"
echo "| --- | --- | --- |"
while IFS='|' read -r name file subst what; do
  [ -z "$name" ] && continue
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  target="$main/$file"
  [[ $file == db-changelog/* ]] && target="$file"
  perl -0pi -e "$subst" "$target"
  if git diff --quiet -- "$target"; then
    echo "| $name | $what | MUTANT NOT APPLIED: the code it targets has changed |"
    continue
  fi
  echo "| $name | $what | $(run "$logs/$name.log") |"
  git checkout -q -- "$target"
done <<<"$mutants"
