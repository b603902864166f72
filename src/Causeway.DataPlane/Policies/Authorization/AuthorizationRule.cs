using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Authorization;

/// <summary>One compiled authorization rule: every condition it has must hold (each list: any of its values).</summary>
internal sealed class AuthorizationRule
{
    private readonly IPNetwork[] _cidrs;
    private readonly Regex? _pathRegex;

    public AuthorizationRule(AuthorizationRuleIr ir)
    {
        Ir = ir;
        _cidrs = [.. ir.ClientCidrs.Select(c => IPNetwork.Parse(c))];
        if (ir.Path is { Kind: PathMatchKind.Regex } p) _pathRegex = new Regex("^(?:" + p.Value + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public AuthorizationRuleIr Ir { get; }

    public bool Matches<TRequest>(in TRequest request, RequestPolicyState? policy) where TRequest : struct, IRequestView
    {
        if (_cidrs.Length > 0)
        {
            if (policy?.ClientAddress is not { } client || !_cidrs.Any(c => c.Contains(client))) return false;
        }
        foreach (var h in Ir.Headers)
        {
            if (!request.TryGetHeader(h.Name, out var values)) return false;
            var any = false;
            foreach (var v in values)
                if (v is not null && h.Values.Contains(v)) any = true;
            if (!any) return false;
        }
        if (Ir.JwtProvider is { } provider)
        {
            if (policy?.Tokens is not { } tokens || !tokens.TryGetValue(provider, out var token)) return false;
            foreach (var c in Ir.Claims)
                if (!ClaimMatches(token, c)) return false;
            if (Ir.Scopes.Count > 0)
            {
                var scopes = Scopes(token);
                foreach (var s in Ir.Scopes)
                    if (!scopes.Contains(s)) return false;
            }
        }
        if (Ir.Methods.Count > 0)
        {
            var any = false;
            foreach (var m in Ir.Methods)
                if (request.MethodIs(m)) any = true;
            if (!any) return false;
        }
        if (Ir.Path is { } path)
        {
            var actual = request.DecodedPath ?? "/";
            var q = actual.IndexOf('?', StringComparison.Ordinal);
            if (q >= 0) actual = actual[..q];
            var hit = path.Kind switch
            {
                PathMatchKind.Exact => actual == path.Value,
                PathMatchKind.Prefix => PrefixMatches(actual, path.Value),
                _ => _pathRegex!.IsMatch(actual),
            };
            if (hit == path.Invert) return false;
        }
        return true;
    }

    private static bool PrefixMatches(string path, string prefix)
    {
        var p = prefix.Length > 1 ? prefix.TrimEnd('/') : prefix;
        if (p == "/") return true;
        return path.StartsWith(p, StringComparison.Ordinal) && (path.Length == p.Length || path[p.Length] == '/');
    }

    private static bool ClaimMatches(Jwt.ValidatedToken token, JwtClaimMatchIr c)
    {
        if (!token.TryGetClaim(c.Name, out var value)) return false;
        if (value.ValueKind == JsonValueKind.Array)
        {
            if (!c.StringArray) return false;
            foreach (var item in value.EnumerateArray())
                if (item.ValueKind == JsonValueKind.String && c.Values.Contains(item.GetString()!)) return true;
            return false;
        }
        return value.ValueKind == JsonValueKind.String && c.Values.Contains(value.GetString()!);
    }

    private static HashSet<string> Scopes(Jwt.ValidatedToken token)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in new[] { "scope", "scp" })
        {
            if (!token.Claims.TryGetProperty(name, out var v)) continue;
            if (v.ValueKind == JsonValueKind.String) set.UnionWith(v.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            else if (v.ValueKind == JsonValueKind.Array)
                foreach (var item in v.EnumerateArray())
                    if (item.ValueKind == JsonValueKind.String) set.Add(item.GetString()!);
        }
        return set;
    }

    public string Describe()
    {
        var parts = new List<string>();
        if (Ir.ClientCidrs.Count > 0) parts.Add("cidr=" + string.Join(",", Ir.ClientCidrs));
        if (Ir.Headers.Count > 0) parts.Add("headers=" + string.Join(",", Ir.Headers.Select(h => $"{h.Name}:{string.Join("|", h.Values)}")));
        if (Ir.JwtProvider is { } p) parts.Add($"jwt={p}" + string.Concat(Ir.Claims.Select(c => $" {c.Name}={string.Join("|", c.Values)}")) + (Ir.Scopes.Count > 0 ? " scopes=" + string.Join(",", Ir.Scopes) : ""));
        if (Ir.Methods.Count > 0) parts.Add("methods=" + string.Join(",", Ir.Methods));
        if (Ir.Path is { } path) parts.Add($"path{(path.Invert ? "!" : "")}={path.Kind}:{path.Value}");
        return $"{(Ir.Allow ? "allow" : "deny")} {Ir.Name}" + (parts.Count > 0 ? " " + string.Join(" ", parts) : " any");
    }
}
