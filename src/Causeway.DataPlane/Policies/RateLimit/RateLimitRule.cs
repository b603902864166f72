using System.Net;
using System.Text.RegularExpressions;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.RateLimit;

/// <summary>
/// One rate-limit rule compiled for a route rule: its conditions (all must hold) and its buckets. A request that meets
/// every condition is counted; <c>Distinct</c> conditions pick its bucket by the values it carries.
/// </summary>
internal sealed class RateLimitRule
{
    private readonly Condition[] _conditions;
    private readonly RateLimitBuckets? _buckets;

    /// <param name="buckets">The local buckets; null for a global rule (counted in Redis).</param>
    public RateLimitRule(RateLimitRuleIr ir, RateLimitBuckets? buckets)
    {
        Ir = ir;
        _buckets = buckets;
        _conditions = [.. ir.Conditions.Select(c => new Condition(c))];
    }

    public RateLimitRuleIr Ir { get; }

    public RateLimitBuckets Buckets => _buckets ?? throw new InvalidOperationException("a global rate-limit rule has no local buckets");

    /// <summary>Requests per second allowed (for ordering rules strictest first).</summary>
    public double Rate => (double)Ir.Requests / Ir.UnitSeconds;

    /// <summary>Whether the request meets every condition; <paramref name="distinct"/> is its bucket key (null: the shared bucket).</summary>
    public bool Matches<TRequest>(in TRequest request, RequestPolicyState? state, out string? distinct) where TRequest : struct, IRequestView
    {
        distinct = null;
        foreach (var c in _conditions)
        {
            if (!c.Matches(request, state, out var value)) return false;
            if (value is not null) distinct = distinct is null ? value : distinct + "\0" + value;
        }
        return true;
    }

    /// <summary>"key text" describing the rule for the printed plan.</summary>
    public string Describe()
    {
        var unit = Ir.UnitSeconds switch { 1 => "s", 60 => "m", 3600 => "h", 86_400 => "d", _ => Ir.UnitSeconds + "s" };
        var text = $"{Ir.Requests}/{unit}";
        foreach (var c in Ir.Conditions)
            text += " " + (c.Invert ? "!" : "") + c.Kind.ToString().ToLowerInvariant() + (c.Name is null ? "" : ":" + c.Name)
                + (c.Match == RateLimitMatch.Distinct ? "(distinct)" : $"{(c.Match == RateLimitMatch.Exact ? "=" : c.Match == RateLimitMatch.Prefix ? "^=" : "~")}{string.Join("|", c.Values)}");
        if (Ir.Shared) text += " shared";
        if (!Ir.Headers) text += " no-headers";
        if (Ir.Cost is { } cost) text += $" cost={cost.Request}" + (cost.Response > 0 ? $"+{cost.Response}" : "");
        if (Ir.ShadowMode) text += " shadow";
        return text;
    }

    private sealed class Condition
    {
        private readonly RateLimitConditionIr _ir;
        private readonly string _value;
        private readonly Regex? _regex;
        private readonly IPNetwork _network;

        public Condition(RateLimitConditionIr ir)
        {
            _ir = ir;
            _value = ir.Values.Count > 0 ? ir.Values[0] : "";
            if (ir.Match == RateLimitMatch.Regex) _regex = RouteRegex.FullMatch(_value);
            if (ir.Kind == RateLimitConditionKind.SourceCidr) _network = IPNetwork.Parse(_value);
        }

        public bool Matches<TRequest>(in TRequest request, RequestPolicyState? state, out string? distinct) where TRequest : struct, IRequestView
        {
            distinct = null;
            switch (_ir.Kind)
            {
                case RateLimitConditionKind.Method:
                {
                    var any = false;
                    foreach (var m in _ir.Values) any |= request.MethodIs(m);
                    return any != _ir.Invert;
                }
                case RateLimitConditionKind.Path:
                {
                    var path = request.DecodedPath ?? "/";
                    var hit = _ir.Match switch
                    {
                        RateLimitMatch.Exact => path == _value,
                        RateLimitMatch.Prefix => path.StartsWith(_value, StringComparison.Ordinal),
                        _ => _regex!.IsMatch(path),
                    };
                    return hit != _ir.Invert;
                }
                case RateLimitConditionKind.SourceCidr:
                {
                    var client = state?.ClientAddress;
                    var inRange = client is not null && _network.Contains(client);
                    if (_ir.Match == RateLimitMatch.Distinct)
                    {
                        if (inRange) distinct = client!.ToString();
                        return inRange;
                    }
                    return client is not null && inRange != _ir.Invert;
                }
                case RateLimitConditionKind.Header:
                {
                    if (_ir.Match == RateLimitMatch.Exact && !_ir.Invert) return request.HeaderEquals(_ir.Name!, _value);
                    if (!request.TryGetHeader(_ir.Name!, out var values)) return false; // an absent header matches nothing, inverted or not (Envoy)
                    return Value(ValueCondition.Joined(values), out distinct);
                }
                default:
                {
                    var query = QueryValue(request.Query, _ir.Name!);
                    return query is not null && Value(query, out distinct);
                }
            }
        }

        private bool Value(string value, out string? distinct)
        {
            distinct = null;
            switch (_ir.Match)
            {
                case RateLimitMatch.Distinct:
                    distinct = value;
                    return true;
                case RateLimitMatch.Regex:
                    return _regex!.IsMatch(value) != _ir.Invert;
                default:
                    return (value == _value) != _ir.Invert;
            }
        }

        /// <summary>The first value of query parameter <paramref name="name"/> (percent-decoded), or null.</summary>
        private static string? QueryValue(string? query, string name)
        {
            if (string.IsNullOrEmpty(query)) return null;
            foreach (var part in query.TrimStart('?').Split('&'))
            {
                var eq = part.IndexOf('=');
                var key = eq < 0 ? part : part[..eq];
                if (Uri.UnescapeDataString(key) == name) return eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' '));
            }
            return null;
        }
    }
}
