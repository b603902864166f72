using System.Globalization;
using System.Net;
using System.Text.Json;
using Causeway.Model;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// Checks a BackendTrafficPolicy and compiles it into IR. Every field the CRD defines is either honoured, rejected
/// with a message naming it (when ignoring it would change what the policy means: global or shadow-mode rate
/// limits' metadata costs), or reported as a warning naming it (features not implemented yet).
/// </summary>
internal static class BackendTrafficPolicyCompiler
{
    private const long DefaultCircuitLimit = 1024;

    public static CompiledBackendTrafficPolicy Compile(BackendTrafficPolicy policy) => Compile(policy, null);

    /// <param name="s">The snapshot ConfigMap bodies of response overrides are read from (null: none can be).</param>
    /// <param name="globalBackend">Whether global rate limits have a Redis to count in (false: the policy is warned); null: unknown here.</param>
    public static CompiledBackendTrafficPolicy Compile(BackendTrafficPolicy policy, Causeway.Model.Snapshot.ResourceSnapshot? s, bool? globalBackend = null)
    {
        var spec = policy.Spec;
        var errors = new List<string>();
        var warnings = new List<string>();
        Unmodelled(spec.Unmodelled, "spec", warnings);
        PolicyMerge.Check(spec.MergeType, spec.TargetRef, spec.TargetRefs, spec.TargetSelectors, errors);

        var (rateLimit, globalRateLimit) = RateLimit(spec.RateLimit, errors, warnings, globalBackend);
        CircuitBreakerIr? breaker = null;
        if (spec.CircuitBreaker is { } cb)
        {
            Unmodelled(cb.Unmodelled, "spec.circuitBreaker", warnings);
            long? perConnection = cb.MaxRequestsPerConnection is { } mrpc and > 0 ? mrpc : null; // 0: unlimited, as Envoy reads it
            if (perConnection > 1)
                warnings.Add($"spec.circuitBreaker.maxRequestsPerConnection: {perConnection} is enforced on HTTP/1.1 backend connections; " +
                    "HTTP/2 backend connections (h2c backends, TLS backends that negotiate h2, useClientProtocol for HTTP/2 clients) are reused without counting their streams");
            long? perEndpoint = null;
            if (cb.PerEndpoint is { } pe)
            {
                Unmodelled(pe.Unmodelled, "spec.circuitBreaker.perEndpoint", warnings);
                if (pe.MaxConnections is { } max)
                {
                    if (max < 0) errors.Add($"spec.circuitBreaker.perEndpoint.maxConnections: {max} is negative");
                    else perEndpoint = max;
                }
            }
            breaker = new CircuitBreakerIr
            {
                MaxConnectionsPerEndpoint = perEndpoint,
                MaxConnections = cb.MaxConnections ?? DefaultCircuitLimit,
                MaxPendingRequests = cb.MaxPendingRequests ?? DefaultCircuitLimit,
                MaxParallelRequests = cb.MaxParallelRequests ?? DefaultCircuitLimit,
                MaxParallelRetries = cb.MaxParallelRetries ?? DefaultCircuitLimit,
                RetryBudget = RetryBudget(cb.RetryBudget, errors, warnings),
                MaxRequestsPerConnection = perConnection,
            };
        }

        FaultAbortIr? abort = null;
        FaultDelayIr? delay = null;
        if (spec.FaultInjection is { } fi)
        {
            if (fi.Abort is { } a)
            {
                if (a.HttpStatus is null && a.GrpcStatus is null) errors.Add("spec.faultInjection.abort: one of httpStatus or grpcStatus is required");
                abort = new FaultAbortIr { HttpStatus = a.HttpStatus, GrpcStatus = a.GrpcStatus, Percentage = Percent(a.Percentage, "spec.faultInjection.abort.percentage", errors) };
            }
            if (fi.Delay is { } d)
            {
                if (Durations.Parse(d.FixedDelay) is { } fixedDelay) delay = new FaultDelayIr { Delay = fixedDelay, Percentage = Percent(d.Percentage, "spec.faultInjection.delay.percentage", errors) };
                else errors.Add($"spec.faultInjection.delay.fixedDelay: \"{d.FixedDelay}\" is not a duration");
            }
        }

        var (retry, perTry) = Retry(spec.Retry, errors, warnings);
        TimeSpan? requestTimeout = null;
        TimeSpan? connectTimeout = null;
        if (spec.Timeout is { } t)
        {
            if (t.Tcp?.ConnectTimeout is { } ct)
            {
                connectTimeout = Durations.Parse(ct);
                if (connectTimeout is null || connectTimeout <= TimeSpan.Zero) errors.Add($"spec.timeout.tcp.connectTimeout: \"{ct}\" is not a positive duration");
            }
            if (t.Http is { } http)
            {
                Unmodelled(http.Unmodelled, "spec.timeout.http", warnings);
                if (http.RequestTimeout is { } rt)
                {
                    requestTimeout = Durations.Parse(rt);
                    if (requestTimeout is null) errors.Add($"spec.timeout.http.requestTimeout: \"{rt}\" is not a duration");
                    else if (requestTimeout == TimeSpan.Zero) requestTimeout = null; // 0s: no timeout
                }
            }
        }

        var loadBalancer = LoadBalancer(spec.LoadBalancer, errors, warnings);
        PassiveHealthIr? passive = null;
        ActiveHealthIr? active = null;
        int? panic = null;
        if (spec.HealthCheck is { } hc)
        {
            Unmodelled(hc.Unmodelled, "spec.healthCheck", warnings);
            if (hc.Passive is { } p) passive = Passive(p, errors, warnings);
            if (hc.Active is { } a) active = ActiveHealthCompiler.Compile(a, errors, warnings);
            if (hc.PanicThreshold is { } pt)
            {
                if (pt is < 0 or > 100) errors.Add($"spec.healthCheck.panicThreshold: {pt} is not between 0 and 100");
                else panic = pt;
            }
        }

        long? bufferLimit = null;
        if (spec.RequestBuffer is { } rb)
        {
            Unmodelled(rb.Unmodelled, "spec.requestBuffer", warnings);
            bufferLimit = rb.Limit is { } limit ? Quantities.Bytes(limit) : null;
            if (bufferLimit is null) errors.Add($"spec.requestBuffer.limit: \"{rb.Limit}\" is not a size (e.g. 10Mi)");
        }

        var connection = BackendConnectionCompiler.Compile(spec, errors, warnings);
        var upgrade = BackendStreamCompiler.HttpUpgrade(spec, errors, warnings);
        var bandwidth = BackendStreamCompiler.Bandwidth(spec.BandwidthLimit, errors, warnings);
        var compression = Compression(spec, errors, warnings);
        var overrides = ResponseOverrideCompiler.Compile(policy, s, errors, warnings);

        return new CompiledBackendTrafficPolicy
        {
            Ir = new BackendTrafficPolicyIr
            {
                Policy = $"{policy.Namespace}/{policy.Name}",
                UseClientProtocol = spec.UseClientProtocol == true,
                LocalRateLimit = rateLimit,
                GlobalRateLimit = globalRateLimit,
                CircuitBreaker = breaker,
                FaultAbort = abort,
                FaultDelay = delay,
                LoadBalancer = loadBalancer,
                PassiveHealth = passive,
                ActiveHealth = active,
                RequestBufferLimit = bufferLimit,
                Compression = compression,
                ResponseOverrides = overrides,
                PanicThreshold = panic,
                ConnectTimeout = connectTimeout,
                ProxyProtocol = connection.ProxyProtocol,
                TcpKeepalive = connection.Keepalive,
                ConnectionBufferLimit = connection.BufferLimit,
                DnsRefreshRate = connection.DnsRefreshRate,
                DnsLookupFamily = connection.LookupFamily,
                DnsRespectTtl = connection.RespectDnsTtl,
                HttpUpgrade = upgrade,
                BandwidthLimit = bandwidth,
            },
            Retry = retry,
            RequestTimeout = requestTimeout,
            BackendRequestTimeout = perTry,
            Errors = errors,
            Warnings = warnings,
            IgnoredByStreams = BackendTrafficScopes.IgnoredByStreams(spec),
            IgnoredByDatagrams = BackendTrafficScopes.IgnoredByDatagrams(spec),
            LimitedForHttp = BackendTrafficScopes.LimitedForHttp(spec),
        };
    }

    /// <summary><c>spec.circuitBreaker.retryBudget</c>: a fraction of the requests in flight, at least <c>minRetryConcurrency</c> (default 3).</summary>
    private static RetryBudgetIr? RetryBudget(RetryBudgetSpec? spec, List<string> errors, List<string> warnings)
    {
        if (spec is null) return null;
        const string f = "spec.circuitBreaker.retryBudget";
        Unmodelled(spec.Unmodelled, f, warnings);
        if (spec.Percent is not { } percent)
        {
            errors.Add($"{f}.percent: required");
            return null;
        }
        var denominator = percent.Denominator ?? 100;
        if (denominator < 1) errors.Add($"{f}.percent.denominator: {denominator} is not a positive number");
        else if (percent.Numerator < 0 || percent.Numerator > denominator)
            errors.Add($"{f}.percent.numerator: {percent.Numerator} is not between 0 and the denominator ({denominator})");
        var min = spec.MinRetryConcurrency ?? 3;
        if (min < 0) errors.Add($"{f}.minRetryConcurrency: {min} is negative");
        return new RetryBudgetIr
        {
            Fraction = denominator < 1 ? 0 : Math.Clamp((double)percent.Numerator / denominator, 0, 1),
            MinRetryConcurrency = Math.Max(0, min),
        };
    }

    private static LoadBalancerIr? LoadBalancer(LoadBalancerSpec? spec, List<string> errors, List<string> warnings)
    {
        if (spec is null) return null;
        Unmodelled(spec.Unmodelled, "spec.loadBalancer", warnings);
        LoadBalancerKind kind;
        switch (spec.Type)
        {
            case "RoundRobin": kind = LoadBalancerKind.RoundRobin; break;
            case "Random": kind = LoadBalancerKind.Random; break;
            case "LeastRequest": kind = LoadBalancerKind.LeastRequest; break;
            case "ConsistentHash": kind = LoadBalancerKind.ConsistentHash; break;
            default:
                warnings.Add($"spec.loadBalancer.type: {spec.Type} is not supported yet, round robin is used");
                return null;
        }
        TimeSpan? slowStart = null;
        if (spec.SlowStart is { } ss)
        {
            Unmodelled(ss.Unmodelled, "spec.loadBalancer.slowStart", warnings);
            if (ss.Window is not { } w || Durations.Parse(w) is not { } window || window <= TimeSpan.Zero)
                errors.Add($"spec.loadBalancer.slowStart.window: \"{ss.Window}\" is not a positive duration");
            else if (kind is LoadBalancerKind.RoundRobin or LoadBalancerKind.LeastRequest) slowStart = window;
            else warnings.Add($"spec.loadBalancer.slowStart: only RoundRobin and LeastRequest warm endpoints up; ignored for {spec.Type}");
        }
        if (kind != LoadBalancerKind.ConsistentHash)
        {
            if (spec.ConsistentHash is not null) errors.Add("spec.loadBalancer.consistentHash: only allowed when type is ConsistentHash");
            return new LoadBalancerIr { Kind = kind, SlowStartWindow = slowStart };
        }
        if (spec.ConsistentHash is not { } ch)
        {
            errors.Add("spec.loadBalancer.consistentHash: required when type is ConsistentHash");
            return null;
        }
        Unmodelled(ch.Unmodelled, "spec.loadBalancer.consistentHash", warnings);
        if (ch.TableSize is { } size && size != 65537) warnings.Add("spec.loadBalancer.consistentHash.tableSize: not used (Causeway hashes onto a ring of 160 points per endpoint)");
        switch (ch.Type)
        {
            case "SourceIP":
                return new LoadBalancerIr { Kind = kind, HashOn = HashSourceKind.SourceIp };
            case "Header":
                if (string.IsNullOrEmpty(ch.Header?.Name))
                {
                    errors.Add("spec.loadBalancer.consistentHash.header.name: required when type is Header");
                    return null;
                }
                return new LoadBalancerIr { Kind = kind, HashOn = HashSourceKind.Header, HashName = ch.Header.Name };
            case "Cookie":
                if (ch.Cookie is not { Name.Length: > 0 } cookie)
                {
                    errors.Add("spec.loadBalancer.consistentHash.cookie.name: required when type is Cookie");
                    return null;
                }
                Unmodelled(cookie.Unmodelled, "spec.loadBalancer.consistentHash.cookie", warnings);
                TimeSpan? ttl = null;
                if (cookie.Ttl is { } t && (ttl = Durations.Parse(t)) is null)
                {
                    errors.Add($"spec.loadBalancer.consistentHash.cookie.ttl: \"{t}\" is not a duration");
                    return null;
                }
                return new LoadBalancerIr { Kind = kind, HashOn = HashSourceKind.Cookie, HashName = cookie.Name, CookieTtl = ttl };
            default:
                warnings.Add($"spec.loadBalancer.consistentHash.type: {ch.Type} is not supported yet, round robin is used");
                return null;
        }
    }

    private static PassiveHealthIr? Passive(PassiveHealthCheckSpec p, List<string> errors, List<string> warnings)
    {
        Unmodelled(p.Unmodelled, "spec.healthCheck.passive", warnings);
        var interval = Duration(p.Interval, "3s", "spec.healthCheck.passive.interval", errors);
        var baseEjection = Duration(p.BaseEjectionTime, "30s", "spec.healthCheck.passive.baseEjectionTime", errors);
        var max = p.MaxEjectionPercent ?? 10;
        if (max is < 0 or > 100) errors.Add($"spec.healthCheck.passive.maxEjectionPercent: {max} is not between 0 and 100");
        if (interval is null || baseEjection is null) return null;
        return new PassiveHealthIr
        {
            Consecutive5xxErrors = p.Consecutive5XxErrors ?? 5,
            ConsecutiveGatewayErrors = p.ConsecutiveGatewayErrors,
            ConsecutiveLocalOriginFailures = p.ConsecutiveLocalOriginFailures ?? 5,
            SplitExternalLocalOriginErrors = p.SplitExternalLocalOriginErrors == true,
            Interval = interval.Value,
            BaseEjectionTime = baseEjection.Value,
            MaxEjectionPercent = max,
            AlwaysEjectOneEndpoint = p.AlwaysEjectOneEndpoint == true,
        };
    }

    /// <summary><c>spec.compressor</c> (or the deprecated <c>spec.compression</c>): Gzip, Brotli and Zstd in the policy's order.</summary>
    private static CompressionIr? Compression(BackendTrafficPolicySpec spec, List<string> errors, List<string> warnings)
    {
        var field = spec.Compressor is { Count: > 0 } ? "spec.compressor" : "spec.compression";
        if ((spec.Compressor is { Count: > 0 } ? spec.Compressor : spec.Compression) is not { Count: > 0 } list) return null;
        if (spec.Compressor is { Count: > 0 } && spec.Compression is { Count: > 0 })
            warnings.Add("spec.compression: deprecated and ignored, spec.compressor is set");
        var kinds = new List<CompressionKind>();
        long? min = null;
        for (var i = 0; i < list.Count; i++)
        {
            var c = list[i];
            var at = $"{field}[{i}]";
            Unmodelled(c.Unmodelled, at, warnings);
            switch (c.Type)
            {
                case "Gzip": kinds.Add(CompressionKind.Gzip); break;
                case "Brotli": kinds.Add(CompressionKind.Brotli); break;
                case "Zstd": kinds.Add(CompressionKind.Zstd); break;
                default: errors.Add($"{at}.type: \"{c.Type}\" is not Gzip, Brotli or Zstd"); break;
            }
            if (c.MinContentLength is { } m)
            {
                var bytes = Quantities.Bytes(m);
                if (bytes is null or < 30) errors.Add($"{at}.minContentLength: \"{m}\" is not a size of at least 30 bytes");
                else if (min is { } other && other != bytes) warnings.Add($"{at}.minContentLength: differs from an earlier entry's; the first one applies");
                else min ??= bytes;
            }
        }
        if (kinds.Count == 0) return null;
        return new CompressionIr { Kinds = new EquatableArray<CompressionKind>(kinds.Distinct()), MinContentLength = min ?? 30 };
    }

    internal static TimeSpan? Duration(string? value, string fallback, string field, List<string> errors)
    {
        var text = value ?? fallback;
        var parsed = Durations.Parse(text);
        if (parsed is null) errors.Add($"{field}: \"{text}\" is not a duration");
        return parsed;
    }

    internal static void Unmodelled(Dictionary<string, JsonElement>? fields, string path, List<string> into)
    {
        foreach (var name in (fields?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
            into.Add($"{path}.{name}: not supported by Causeway yet, ignored");
    }

    private static double Percent(double? value, string field, List<string> errors)
    {
        var v = value ?? 100;
        if (v is < 0 or > 100) errors.Add($"{field}: {v.ToString(CultureInfo.InvariantCulture)} is not between 0 and 100");
        return v;
    }

    private static (LocalRateLimitIr? Local, GlobalRateLimitIr? Global) RateLimit(RateLimitSpec? spec, List<string> errors, List<string> warnings, bool? globalBackend)
    {
        if (spec is null) return (null, null);
        foreach (var name in (spec.Unmodelled?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
            errors.Add($"spec.rateLimit.{name}: not supported by Causeway");
        // type is deprecated: local and global may both be set and both apply; type only says which one must be there.
        if (spec.Type == "Global" && spec.Global is null) errors.Add("spec.rateLimit.global: required when type is Global");
        if (spec.Type == "Local" && spec.Local is null) errors.Add("spec.rateLimit.local: required when type is Local");
        if (spec.Type is null && spec.Local is null && spec.Global is null) errors.Add("spec.rateLimit: one of local or global is required");
        LocalRateLimitIr? local = null;
        GlobalRateLimitIr? global = null;
        if (spec.Local is { } l) local = new LocalRateLimitIr { Rules = new(Rules(l, "spec.rateLimit.local", global: false, errors)) };
        if (spec.Global is { } g)
        {
            global = new GlobalRateLimitIr { Rules = new(Rules(g, "spec.rateLimit.global", global: true, errors)) };
            if (globalBackend == false)
                warnings.Add("spec.rateLimit.global: no Redis is configured for global rate limits (--rate-limit-redis of causeway run, or of the controller); "
                    + "its requests fail as --rate-limit-fail-closed says (default: allowed, not counted)");
        }
        return (local, global);
    }

    private static List<RateLimitRuleIr> Rules(LocalRateLimitSpec spec, string path, bool global, List<string> errors)
    {
        foreach (var name in (spec.Unmodelled?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
            errors.Add($"{path}.{name}: not supported by Causeway");
        var rules = new List<RateLimitRuleIr>();
        for (var i = 0; i < spec.Rules.Count; i++)
        {
            var r = spec.Rules[i];
            var field = $"{path}.rules[{i}]";
            foreach (var name in (r.Unmodelled?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
                errors.Add($"{field}.{name}: not supported by Causeway");
            RateLimitCostIr? cost = null;
            if (!global)
            {
                if (r.ShadowMode == true) errors.Add($"{field}.shadowMode: shadow mode is only supported for global rate limits");
                if (r.Cost is not null) errors.Add($"{field}.cost: request costs are not supported yet for local rate limits");
            }
            else if (r.Cost is { } c) cost = Cost(c, field, errors);
            if (r.Limit.FromMetadata is not null) errors.Add($"{field}.limit.fromMetadata: limits from metadata are not supported");
            if (r.Limit.Requests is not { } requests)
            {
                errors.Add($"{field}.limit.requests: required");
                continue;
            }
            long? unit = r.Limit.Unit switch
            {
                "Second" => 1,
                "Minute" => 60,
                "Hour" => 3600,
                "Day" => 86_400,
                "Week" => 604_800,
                "Month" => 2_592_000,
                "Year" => 31_536_000,
                _ => null,
            };
            if (unit is null)
            {
                errors.Add($"{field}.limit.unit: \"{r.Limit.Unit}\" is not a rate-limit unit");
                continue;
            }
            var conditions = new List<RateLimitConditionIr>();
            for (var c = 0; c < r.ClientSelectors.Count; c++)
                conditions.AddRange(RateLimitConditions.Compile(r.ClientSelectors[c], $"{field}.clientSelectors[{c}]", errors));
            rules.Add(new RateLimitRuleIr
            {
                Index = i,
                Conditions = new(conditions),
                Requests = requests,
                UnitSeconds = unit.Value,
                Shared = r.Shared == true,
                Headers = r.XRateLimitHeaders != "Off",
                Cost = cost,
                ShadowMode = global && r.ShadowMode == true,
            });
        }
        return rules;
    }

    /// <summary><c>cost.request</c> and <c>cost.response</c> of a global rule: numbers only (metadata needs filters Causeway has not).</summary>
    private static RateLimitCostIr? Cost(JsonElement cost, string field, List<string> errors)
    {
        if (cost.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{field}.cost: must be an object");
            return null;
        }
        long Part(string name, long fallback)
        {
            if (!cost.TryGetProperty(name, out var part)) return fallback;
            var from = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("from", out var f) ? f.GetString() : null;
            if (from != "Number")
            {
                errors.Add($"{field}.cost.{name}.from: \"{from}\" is not supported (only Number: Causeway has no filter that writes metadata)");
                return fallback;
            }
            if (!part.TryGetProperty("number", out var n) || n.ValueKind != JsonValueKind.Number || !n.TryGetInt64(out var number) || number < 0)
            {
                errors.Add($"{field}.cost.{name}.number: a number of zero or more is required when from is Number");
                return fallback;
            }
            return number;
        }
        return new RateLimitCostIr { Request = Part("request", 1), Response = Part("response", 0) };
    }

    private static (RetryIr? Retry, TimeSpan? PerTry) Retry(RetrySpec? spec, List<string> errors, List<string> warnings)
    {
        if (spec is null) return (null, null);
        Unmodelled(spec.Unmodelled, "spec.retry", warnings);
        var codes = new SortedSet<int>();
        var grpc = new SortedSet<int>();
        var failures = RetryFailures.None;
        foreach (var code in spec.RetryOn?.HttpStatusCodes ?? []) codes.Add(code);
        // Envoy Gateway's default: connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes (503).
        var triggers = spec.RetryOn?.Triggers is { Count: > 0 } listed ? listed
            : spec.RetryOn is null ? ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"] : [];
        if (spec.RetryOn is null) codes.Add(503);
        for (var i = 0; i < triggers.Count; i++)
        {
            switch (triggers[i])
            {
                case "5xx": for (var c = 500; c < 600; c++) codes.Add(c); failures |= RetryFailures.All; break;
                case "gateway-error": codes.UnionWith([502, 503, 504]); failures |= RetryFailures.All; break;
                case "reset": failures |= RetryFailures.All; break;
                case "reset-before-request": failures |= RetryFailures.Connect; break;
                case "connect-failure": failures |= RetryFailures.Connect; break;
                case "retriable-4xx": codes.Add(409); break;
                case "retriable-status-codes": break; // httpStatusCodes, above
                // HTTP/2 backends' REFUSED_STREAM: the backend connection pool retries those itself (the stream never
                // reached the backend's application).
                case "refused-stream": break;
                case "cancelled": grpc.Add(1); break;
                case "deadline-exceeded": grpc.Add(4); break;
                case "resource-exhausted": grpc.Add(8); break;
                case "internal": grpc.Add(13); break;
                case "unavailable": grpc.Add(14); break;
                default: warnings.Add($"spec.retry.retryOn.triggers[{i}]: {triggers[i]} is not supported yet, ignored"); break;
            }
        }
        TimeSpan? backoff = null;
        TimeSpan? maxBackoff = null;
        TimeSpan? perTry = null;
        if (spec.PerRetry is { } per)
        {
            if (per.Timeout is { } t && (perTry = Durations.Parse(t)) is null) errors.Add($"spec.retry.perRetry.timeout: \"{t}\" is not a duration");
            if (per.BackOff?.BaseInterval is { } b && (backoff = Durations.Parse(b)) is null) errors.Add($"spec.retry.perRetry.backOff.baseInterval: \"{b}\" is not a duration");
            if (per.BackOff?.MaxInterval is { } m && (maxBackoff = Durations.Parse(m)) is null) errors.Add($"spec.retry.perRetry.backOff.maxInterval: \"{m}\" is not a duration");
            if (maxBackoff is { } max && backoff is { } min && max < min)
                errors.Add($"spec.retry.perRetry.backOff.maxInterval: \"{per.BackOff!.MaxInterval}\" is shorter than baseInterval \"{per.BackOff.BaseInterval}\"");
            // Envoy's defaults: a 25 ms base when only the maximum is given, a maximum of 10 times the base otherwise.
            if (maxBackoff is not null) backoff ??= TimeSpan.FromMilliseconds(25);
            else if (backoff is { } only) maxBackoff = only * 10;
        }
        return (new RetryIr
        {
            Attempts = spec.NumRetries ?? 2,
            Codes = new(codes),
            OnFailures = failures,
            GrpcCodes = new(grpc),
            Backoff = backoff,
            MaxBackoff = maxBackoff,
        }, perTry);
    }
}
