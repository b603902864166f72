# Markdown report from $RESULTS (see measure.sh), $NOTES (one line per note), $PROP and $MEM files.

# summary_table : one row per scenario and target with medians over repetitions, and Causeway's ratio to
# the best peer (median over repetitions of causeway / max(nginx, haproxy), for req/s; for CPU µs/request
# the ratio is best peer / causeway, so > 1 means Causeway is cheaper).
summary_table() {
  [ -s "$RESULTS" ] || { echo "_No load runs recorded._"; return; }
  awk -F'\t' '
    function median(prefix, cnt,   i, j, t, a) {
      if (cnt == 0) return "NA"
      for (i = 1; i <= cnt; i++) a[i] = vals[prefix, i]
      for (i = 2; i <= cnt; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (cnt % 2) ? a[(cnt + 1) / 2] : (a[cnt / 2] + a[cnt / 2 + 1]) / 2
    }
    function whole(v) { return v == "NA" ? "NA" : sprintf("%.0f", v) }
    function put(prefix, v) { if (v == "NA") return; cnt[prefix]++; vals[prefix, cnt[prefix]] = v + 0 }
    {
      s = $1; t = $2; r = $3
      if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
      if (!((s, t) in tseen)) { tseen[s, t] = 1 }
      put(s SUBSEP t SUBSEP "rps", $4); put(s SUBSEP t SUBSEP "p50", $5); put(s SUBSEP t SUBSEP "p99", $6)
      put(s SUBSEP t SUBSEP "cpu", $7); err[s, t] += $8
      rps[s, t, r] = $4; cpu[s, t, r] = $7; reps[s, r] = 1
    }
    END {
      print "| scenario | target | req/s | p50 µs | p99 µs | target CPU µs/req | errors | req/s vs best peer | CPU/req vs best peer |"
      print "|---|---|---:|---:|---:|---:|---:|---:|---:|"
      split("causeway nginx haproxy direct", tg, " ")
      for (i = 1; i <= ns; i++) {
        s = order[i]
        # per-repetition ratios
        nr = 0; nc = 0
        for (k in reps) {
          split(k, kk, SUBSEP); if (kk[1] != s) continue; rr = kk[2]
          if (!((s, "causeway", rr) in rps)) continue
          best = 0; bestc = 0
          if ((s, "nginx", rr) in rps && rps[s, "nginx", rr] > best) best = rps[s, "nginx", rr]
          if ((s, "haproxy", rr) in rps && rps[s, "haproxy", rr] > best) best = rps[s, "haproxy", rr]
          if ((s, "nginx", rr) in cpu && cpu[s, "nginx", rr] != "NA" && (bestc == 0 || cpu[s, "nginx", rr] < bestc)) bestc = cpu[s, "nginx", rr]
          if ((s, "haproxy", rr) in cpu && cpu[s, "haproxy", rr] != "NA" && (bestc == 0 || cpu[s, "haproxy", rr] < bestc)) bestc = cpu[s, "haproxy", rr]
          if (best > 0) { nr++; vals[s, "ratio", nr] = rps[s, "causeway", rr] / best }
          if (bestc > 0 && cpu[s, "causeway", rr] != "NA" && cpu[s, "causeway", rr] > 0) { nc++; vals[s, "cratio", nc] = bestc / cpu[s, "causeway", rr] }
        }
        ratio = (nr > 0) ? sprintf("%.2f", median(s SUBSEP "ratio", nr)) : "—"
        cratio = (nc > 0) ? sprintf("%.2f", median(s SUBSEP "cratio", nc)) : "—"
        for (j = 1; j <= 4; j++) {
          t = tg[j]; p = s SUBSEP t
          if (!((s, t) in tseen)) {
            if (t == "causeway") printf "| %s | causeway | not measured | | | | | | |\n", s
            continue
          }
          printf "| %s | %s | %.0f | %s | %s | %s | %d | %s | %s |\n", s, t, median(p SUBSEP "rps", cnt[p SUBSEP "rps"]),
            whole(median(p SUBSEP "p50", cnt[p SUBSEP "p50"])), whole(median(p SUBSEP "p99", cnt[p SUBSEP "p99"])),
            (cnt[p SUBSEP "cpu"] ? sprintf("%.1f", median(p SUBSEP "cpu", cnt[p SUBSEP "cpu"])) : "NA"), err[s, t],
            (t == "causeway" ? ratio : ""), (t == "causeway" ? cratio : "")
        }
      }
    }' "$RESULTS"
}

# routes_vs_one_route : median req/s in the routes scenario over the "h1 c=32" figure, per target.
routes_vs_one_route() {
  [ -s "$RESULTS" ] || return 0
  awk -F'\t' -v rs="$ROUTES_SCEN" '
    function med(key,   i, j, t, a, n) {
      n = cnt[key]; if (!n) return 0
      for (i = 1; i <= n; i++) a[i] = v[key, i]
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    ($1 == rs || $1 == "h1 c=32") { k = $1 SUBSEP $2; v[k, ++cnt[k]] = $4 }
    END {
      printed = 0
      split("causeway nginx haproxy", tg, " ")
      for (j = 1; j <= 3; j++) {
        t = tg[j]; a = med(rs SUBSEP t); b = med("h1 c=32" SUBSEP t)
        if (a > 0 && b > 0) {
          if (!printed) { print "| target | " rs " req/s | 1 route req/s | ratio |"; print "|---|---:|---:|---:|"; printed = 1 }
          printf "| %s | %.0f | %.0f | %.2f |\n", t, a, b, a / b
        }
      }
    }' "$RESULTS"
}

# pct FILE Q : the Q-quantile (nearest rank) of the numbers in FILE, or NA.
pct() { sort -n "$1" | awk -v q="$2" '{v[NR] = $1} END { if (NR == 0) print "NA"; else print v[int((NR - 1) * q) + 1] }'; }
