#!/usr/bin/env bash
# Exercism Java tests without Gradle: javac against the image's JUnit 5 and AssertJ jars (Debian's
# junit5 and libassertj-core-java), then the JUnit Platform console launcher on the hidden test
# classes only, each test stopped after 10 s (in a thread of its own, so that a busy loop is stopped too); its XML report is the JUnit file, and junit.py checks that every hidden @Test got a
# verdict. Sources that claim the test libraries' packages are refused (they would stand in for them).
set -u
here=$(dirname "$0")
jars=/usr/share/java
classpath=$jars/junit-jupiter-api.jar:$jars/junit-jupiter-params.jar:$jars/apiguardian-api.jar:$jars/opentest4j.jar:$jars/junit-platform-commons.jar:$jars/assertj-core.jar
classes=${TMPDIR:-/tmp}/exercism-classes
reports=${TMPDIR:-/tmp}/exercism-reports
rm -rf "$classes" "$reports"
mkdir -p "$classes"
hidden=()
selected=()
for f in ${DRIFTWATCH_TESTS:-}; do
  case $f in
    src/test/java/*.java) hidden+=("$f"); class=${f#src/test/java/}; selected+=(--select-class "$(echo "${class%.java}" | tr / .)") ;;
  esac
done
[ ${#hidden[@]} -gt 0 ] || { while IFS= read -r f; do hidden+=("$f"); done < <(find src/test/java -name '*.java' 2>/dev/null | sort); }
[ ${#selected[@]} -gt 0 ] || selected=(--scan-class-path "$classes")
mapfile -t sources < <(find src/main/java -name '*.java' 2>/dev/null | sort)
impostors=$(grep -lE '^[[:space:]]*package[[:space:]]+(org\.junit|org\.assertj|org\.opentest4j|org\.apiguardian)\b' "${sources[@]}" /dev/null)
if [ -n "$impostors" ]; then
  echo "[driftwatch] the code under test replaced the test machinery or ended the tests early: it declares the test libraries' packages ($(echo $impostors))"
  exit 1
fi
javac -encoding UTF-8 -nowarn -d "$classes" -cp "$classpath" "${sources[@]}" "${hidden[@]}" || exit 1
[ -d src/main/resources ] && cp -r src/main/resources/. "$classes"/
[ -d src/test/resources ] && cp -r src/test/resources/. "$classes"/
java -jar $jars/junit-platform-console-standalone.jar --disable-banner --details=tree \
  --config junit.jupiter.execution.timeout.default=10s --config junit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD \
  --class-path "$jars/assertj-core.jar:$classes" "${selected[@]}" --reports-dir "$reports"
status=$?
report=$reports/TEST-junit-jupiter.xml
[ -n "${DRIFTWATCH_JUNIT:-}" ] && [ -f "$report" ] && cp "$report" "$DRIFTWATCH_JUNIT"
python3 -I "$here/junit.py" check "$([ -f "$report" ] && echo "$report")" "$status" "${hidden[@]}"
