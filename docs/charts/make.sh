#!/bin/sh
# Redraws the charts of docs/charts.md from the sample events beside this script.
# Run from the top of the checkout: sh docs/charts/make.sh [GDELT_EXPORT]
# GDELT_EXPORT (the August 2012 GDELT 1.0 export) draws the ranking of every actor;
# without it that one chart is left as it is.
set -eu
here=docs/charts
plot() { scorer plot "$@" 2>/dev/null; }
plot $here/georgia-one-event.yaml --rules cameo --output $here/one-event.png
plot $here/georgia-2012-08-21.yaml --rules cameo --output $here/one-day.png
plot $here/georgia-2012-08-21-22.yaml --rules cameo --output $here/two-days.png
plot $here/georgia-2012-08.yaml --rules cameo --output $here/one-month.png
plot $here/armenia-1992-2013.yaml --output $here/twenty-years.png
plot $here/armenia-1992-2013.yaml --chart waterfall --output $here/waterfall.png
plot fixtures/kazakhstan-2009.yaml --chart tornado --output $here/tornado.png
# The bundled pack's ranged weights: a band, a ranking with whiskers, Sobol' indices.
plot fixtures/kazakhstan-2009.yaml --actor KAZ --bands --output $here/band.png
plot fixtures/kazakhstan-2009.yaml --bands --output $here/ranking-bands.png
plot fixtures/kazakhstan-2009.yaml --actor KAZ --chart sobol --output $here/sobol.png
# A chart in a report numbers its events as the report's tables do.
report=$(mktemp -d)
scorer explain $here/georgia-2012-08.yaml --rules cameo --format markdown --output "$report/report.md" 2>/dev/null
cp "$report/report-GEO-balance.png" $here/in-a-report.png
rm -r "$report"
if [ $# -gt 0 ]; then
    plot "$1" --rules cameo --output $here/ranking.png
fi
