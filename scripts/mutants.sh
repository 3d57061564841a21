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

suites='ExactDecimalPropertyTest,RollbackPropertyTest,OrderLifecycleModelTest,PatternCacheModelTest,CandleUpsertModelTest,TradingArithmeticTest,LinearizabilityTest'
main=src/main/java/io/tradestore

# name | file | perl substitution | what it breaks
mutants=$(cat <<'LIST'
commit-not-rollback|internal/SqliteEngine.java|s/execute\(c, "ROLLBACK"\);/execute(c, "COMMIT");/|a failed unit commits what it wrote instead of rolling back
savepoint-kept|internal/Engine.java|s/execute\(c, "ROLLBACK TO SAVEPOINT " \+ name\);/\/\/ savepoint never rolled back/|a failed nested unit keeps its writes
double-read-back|internal/Fixed8.java|s/return BigDecimal\.valueOf\(unscaled, SCALE\);/return BigDecimal.valueOf((double) unscaled \/ 1e8).setScale(SCALE, java.math.RoundingMode.HALF_EVEN);/|decimals are read back through a double
half-up|trading/Derived.java|s/RoundingMode\.HALF_EVEN/RoundingMode.HALF_UP/g|derived values (P&L, return, average price) round half-up
ttl-off-by-one|analytics/PatternCacheDao.java|s/PATTERN_CACHE\.EXPIRES_AT\.gt\(tx\.now\(\)\)/PATTERN_CACHE.EXPIRES_AT.ge(tx.now())/|an entry is still a hit at the instant it expires
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
  perl -0pi -e "$subst" "$main/$file"
  if git diff --quiet -- "$main/$file"; then
    echo "| $name | $what | MUTANT NOT APPLIED: the code it targets has changed |"
    continue
  fi
  echo "| $name | $what | $(run "$logs/$name.log") |"
  git checkout -q -- "$main/$file"
done <<<"$mutants"
