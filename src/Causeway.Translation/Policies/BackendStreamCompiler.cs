using Causeway.Model;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// The BackendTrafficPolicy fields about the streams to a backend: <c>httpUpgrade</c> (which upgrade types a rule
/// forwards) and <c>bandwidthLimit</c> (how fast bodies go to and come from the backend).
/// </summary>
internal static class BackendStreamCompiler
{
    public static HttpUpgradeIr? HttpUpgrade(BackendTrafficPolicySpec spec, List<string> errors, List<string> warnings)
    {
        if (spec.HttpUpgrade is not { } list) return null;
        if (list.Count > 0 && spec.RequestBuffer is not null) errors.Add("spec.httpUpgrade: cannot be used together with spec.requestBuffer");
        var types = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            var f = $"spec.httpUpgrade[{i}]";
            var u = list[i];
            BackendTrafficPolicyCompiler.Unmodelled(u.Unmodelled, f, warnings);
            if (string.IsNullOrWhiteSpace(u.Type) || u.Type.AsSpan().IndexOfAny(" \t\r\n,") >= 0)
            {
                errors.Add($"{f}.type: \"{u.Type}\" is not an upgrade type (a token such as websocket or spdy/3.1)");
                continue;
            }
            var connect = string.Equals(u.Type, "CONNECT", StringComparison.OrdinalIgnoreCase);
            if (u.Connect is not null && !connect) errors.Add($"{f}.connect: only allowed when the type is CONNECT");
            if (connect)
            {
                // CONNECT is a method, not an Upgrade header: tunnels (proxied or terminated) are not served, and every
                // CONNECT request gets the 403 Envoy gives an upgrade it has no config for.
                warnings.Add(u.Connect?.Terminate == true
                    ? $"{f}: CONNECT with connect.terminate is not supported by Causeway yet, ignored (CONNECT requests are not tunnelled: they get 403)"
                    : $"{f}: CONNECT is not supported by Causeway yet, ignored (CONNECT requests are not tunnelled: they get 403)");
                continue;
            }
            var type = u.Type.ToLowerInvariant();
            if (!types.Contains(type)) types.Add(type);
        }
        return new HttpUpgradeIr { Types = types };
    }

    public static BandwidthLimitIr? Bandwidth(BandwidthLimitSpec? spec, List<string> errors, List<string> warnings)
    {
        if (spec is null) return null;
        const string f = "spec.bandwidthLimit";
        BackendTrafficPolicyCompiler.Unmodelled(spec.Unmodelled, f, warnings);
        if (spec.Request is null && spec.Response is null)
        {
            errors.Add($"{f}: at least one of request or response must be specified");
            return null;
        }
        var request = Rate(spec.Request, $"{f}.request", errors, warnings);
        var response = Rate(spec.Response, $"{f}.response", errors, warnings);
        if (spec.Request?.ResponseTrailers is not null) errors.Add($"{f}.request.responseTrailers: not a field of request");
        if (spec.Response?.ResponseTrailers is not null)
            warnings.Add($"{f}.response.responseTrailers: delay trailers are not supported by Causeway yet, ignored");
        return request is null && response is null ? null : new BandwidthLimitIr { Request = request, Response = response };
    }

    private static BandwidthRateIr? Rate(BandwidthDirectionSpec? spec, string f, List<string> errors, List<string> warnings)
    {
        if (spec is null) return null;
        BackendTrafficPolicyCompiler.Unmodelled(spec.Unmodelled, f, warnings);
        if (spec.Limit is not { } limit)
        {
            errors.Add($"{f}.limit: required");
            return null;
        }
        BackendTrafficPolicyCompiler.Unmodelled(limit.Unmodelled, $"{f}.limit", warnings);
        int? unit = limit.Unit switch { "Second" => 1, "Minute" => 60, "Hour" => 3600, _ => null };
        if (unit is null) errors.Add($"{f}.limit.unit: \"{limit.Unit}\" is not one of Second, Minute, Hour");
        var bytes = limit.Value is { } v ? Quantities.Bytes(v) : null;
        if (bytes is not > 0) errors.Add($"{f}.limit.value: {(limit.Value is { } raw ? raw.GetRawText() : "(missing)")} is not a positive size (e.g. 10Ki)");
        return unit is { } u && bytes is { } b and > 0 ? new BandwidthRateIr { Bytes = b, UnitSeconds = u } : null;
    }
}
