#!/usr/bin/env bash
# Exercism Java tests without Gradle: javac against the image's JUnit 5 and AssertJ jars (Debian's
# junit5 and libassertj-core-java), then the JUnit Platform console launcher, whose XML report is
# the JUnit file.
set -u
jars=/usr/share/java
classpath=$jars/junit-jupiter-api.jar:$jars/junit-jupiter-params.jar:$jars/apiguardian-api.jar:$jars/opentest4j.jar:$jars/junit-platform-commons.jar:$jars/assertj-core.jar
classes=${TMPDIR:-/tmp}/exercism-classes
reports=${TMPDIR:-/tmp}/exercism-reports
rm -rf "$classes" "$reports"
mkdir -p "$classes"
find src/main/java src/test/java -name '*.java' 2>/dev/null | sort > "$classes.list"
javac -encoding UTF-8 -nowarn -d "$classes" -cp "$classpath" @"$classes.list" || exit 1
[ -d src/main/resources ] && cp -r src/main/resources/. "$classes"/
[ -d src/test/resources ] && cp -r src/test/resources/. "$classes"/
java -jar $jars/junit-platform-console-standalone.jar --disable-banner --details=tree \
  --class-path "$classes:$jars/assertj-core.jar" --scan-class-path "$classes" --reports-dir "$reports"
status=$?
if [ -n "${DRIFTWATCH_JUNIT:-}" ] && [ -f "$reports/TEST-junit-jupiter.xml" ]; then
  cp "$reports/TEST-junit-jupiter.xml" "$DRIFTWATCH_JUNIT"
fi
exit "$status"
