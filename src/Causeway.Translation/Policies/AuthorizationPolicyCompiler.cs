using System.Net;
using System.Text.RegularExpressions;
using Causeway.Model;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>SecurityPolicy <c>authorization</c> into <see cref="AuthorizationIr"/>; a condition Causeway cannot evaluate rejects the policy.</summary>
internal static class AuthorizationPolicyCompiler
{
    public static AuthorizationIr? Compile(AuthorizationSpec? spec, JwtIr? jwt, List<string> errors)
    {
        if (spec is null) return null;
        SecurityPolicyCompiler.Unmodelled(spec.Unmodelled, "spec.authorization", errors);
        var rules = new List<AuthorizationRuleIr>();
        for (var i = 0; i < spec.Rules.Count; i++)
        {
            var r = spec.Rules[i];
            var field = $"spec.authorization.rules[{i}]";
            SecurityPolicyCompiler.Unmodelled(r.Unmodelled, field, errors);
            if (r.Action is not ("Allow" or "Deny")) errors.Add($"{field}.action: \"{r.Action}\" is not Allow or Deny");
            var rule = new AuthorizationRuleIr { Name = r.Name ?? $"rule-{i}", Allow = r.Action == "Allow" };
            if (r.Principal is { } p)
            {
                SecurityPolicyCompiler.Unmodelled(p.Unmodelled, $"{field}.principal", errors);
                for (var c = 0; c < p.ClientCidrs.Count; c++)
                    if (!IPNetwork.TryParse(p.ClientCidrs[c], out _)) errors.Add($"{field}.principal.clientCIDRs[{c}]: \"{p.ClientCidrs[c]}\" is not a CIDR");
                rule = rule with
                {
                    ClientCidrs = new(p.ClientCidrs),
                    Headers = new(p.Headers.Select(h => new AuthorizationHeaderIr(h.Name, new EquatableArray<string>(h.Values)))),
                };
                if (p.Jwt is { } j)
                {
                    if (jwt is null || !jwt.Providers.Any(x => x.Name == j.Provider))
                        errors.Add($"{field}.principal.jwt.provider: \"{j.Provider}\" is not a provider of spec.jwt");
                    rule = rule with
                    {
                        JwtProvider = j.Provider,
                        Claims = new(j.Claims.Select(c => new JwtClaimMatchIr(c.Name, c.ValueType == "StringArray", new EquatableArray<string>(c.Values)))),
                        Scopes = new(j.Scopes),
                    };
                }
            }
            if (r.Operation is { } op)
            {
                rule = rule with { Methods = new(op.Methods.Select(m => m.ToUpperInvariant())) };
                if (op.Path is { } path)
                {
                    var kind = (path.Type ?? "PathPrefix") switch
                    {
                        "Exact" => PathMatchKind.Exact,
                        "PathPrefix" => PathMatchKind.Prefix,
                        "RegularExpression" => PathMatchKind.Regex,
                        _ => (PathMatchKind?)null,
                    };
                    var value = path.Value ?? "/";
                    if (kind is null) errors.Add($"{field}.operation.path.type: \"{path.Type}\" is not Exact, PathPrefix or RegularExpression");
                    else if (kind == PathMatchKind.Regex && !ValidRegex(value)) errors.Add($"{field}.operation.path.value: \"{value}\" is not a regular expression");
                    else rule = rule with { Path = new AuthorizationPathIr(kind.Value, value, path.Invert == true) };
                }
            }
            rules.Add(rule);
        }
        if (spec.DefaultAction is { } d and not ("Allow" or "Deny")) errors.Add($"spec.authorization.defaultAction: \"{d}\" is not Allow or Deny");
        return new AuthorizationIr { Rules = new(rules), DefaultAllow = spec.DefaultAction == "Allow" };
    }

    private static bool ValidRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
