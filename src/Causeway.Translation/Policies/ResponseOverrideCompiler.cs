using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>BackendTrafficPolicy <c>spec.responseOverride</c> into <see cref="ResponseOverrideIr"/>s, errors naming the field.</summary>
internal static class ResponseOverrideCompiler
{
    public static EquatableArray<ResponseOverrideIr> Compile(BackendTrafficPolicy policy, ResourceSnapshot? s, List<string> errors, List<string> warnings)
    {
        if (policy.Spec.ResponseOverride is not { Count: > 0 } list) return EquatableArray<ResponseOverrideIr>.Empty;
        var result = new List<ResponseOverrideIr>();
        for (var i = 0; i < list.Count; i++)
        {
            var o = list[i];
            var field = $"spec.responseOverride[{i}]";
            BackendTrafficPolicyCompiler.Unmodelled(o.Unmodelled, field, warnings);
            if ((o.Response is null) == (o.Redirect is null))
            {
                errors.Add($"{field}: exactly one of response or redirect is required");
                continue;
            }
            var before = errors.Count;
            RedirectIr? redirect = null;
            if (o.Redirect is { } rr)
            {
                if (rr.StatusCode is { } code && code is not (301 or 302)) errors.Add($"{field}.redirect.statusCode: {code} is not 301 or 302");
                if (rr.Scheme is { } scheme && scheme is not ("http" or "https")) errors.Add($"{field}.redirect.scheme: \"{scheme}\" is not http or https");
                if (rr.Port is { } port && port is < 1 or > 65535) errors.Add($"{field}.redirect.port: {port} is not a port");
                if (rr.Path is { } path)
                {
                    // The policy is not tied to one route match, so there is no matched prefix to replace.
                    if (path.Type != "ReplaceFullPath") errors.Add($"{field}.redirect.path.type: only ReplaceFullPath is supported (got \"{path.Type}\")");
                    else if (path.ReplaceFullPath is null) errors.Add($"{field}.redirect.path.replaceFullPath: required when type is ReplaceFullPath");
                }
                redirect = Routes.RouteRuleCompiler.Redirect(rr);
            }
            var statuses = new List<StatusRangeIr>();
            foreach (var (m, j) in (o.Match?.StatusCodes ?? []).Select((m, j) => (m, j)))
            {
                var at = $"{field}.match.statusCodes[{j}]";
                if (m.Type is null or "Value")
                {
                    if (m.Value is not { } v || v is < 100 or > 599) errors.Add($"{at}.value: a status between 100 and 599 is required");
                    else statuses.Add(new StatusRangeIr(v, v));
                }
                else if (m.Type == "Range" && m.Range is { } range)
                {
                    if (range.Start > range.End || range.Start < 100 || range.End > 599) errors.Add($"{at}.range: {range.Start}-{range.End} is not a range of statuses");
                    else statuses.Add(new StatusRangeIr(range.Start, range.End));
                }
                else errors.Add($"{at}: type {m.Type} needs {(m.Type == "Range" ? "range" : "value")}");
            }
            var headers = new List<ResponseHeaderMatchIr>();
            foreach (var (h, j) in (o.Match?.ResponseHeaders ?? []).Select((h, j) => (h, j)))
            {
                var at = $"{field}.match.responseHeaders[{j}]";
                var kind = h.Value?.Type switch
                {
                    null or "Exact" => HeaderValueMatchKind.Exact,
                    "Prefix" => HeaderValueMatchKind.Prefix,
                    "Suffix" => HeaderValueMatchKind.Suffix,
                    "RegularExpression" => HeaderValueMatchKind.RegularExpression,
                    _ => (HeaderValueMatchKind?)null,
                };
                if (string.IsNullOrEmpty(h.Name)) errors.Add($"{at}.name: required");
                if (kind is null) errors.Add($"{at}.value.type: \"{h.Value?.Type}\" is not Exact, Prefix, Suffix or RegularExpression");
                else if (kind == HeaderValueMatchKind.RegularExpression && RouteRegex.Problem(h.Value!.Value) is { } why)
                    errors.Add($"{at}.value.value: \"{h.Value.Value}\" is not a valid regular expression: {why}");
                else headers.Add(new ResponseHeaderMatchIr(h.Name, kind.Value, h.Value?.Value ?? ""));
            }
            var source = o.Source switch
            {
                null or "All" => ResponseOverrideSource.All,
                "Local" => ResponseOverrideSource.Local,
                "Backend" => ResponseOverrideSource.Backend,
                _ => (ResponseOverrideSource?)null,
            };
            if (source is null) errors.Add($"{field}.source: \"{o.Source}\" is not All, Local or Backend");
            var r = o.Response;
            if (r?.StatusCode is { } status && status is < 100 or > 599) errors.Add($"{field}.response.statusCode: {status} is not between 100 and 599");
            if (r is not null) BackendTrafficPolicyCompiler.Unmodelled(r.Unmodelled, $"{field}.response", warnings);
            string? body = null;
            if (r?.Body is { } b)
            {
                if (b.Type is null or "Inline") body = b.Inline ?? "";
                else if (b.ValueRef is not { Kind: "ConfigMap" } vr) errors.Add($"{field}.response.body.valueRef: a ConfigMap reference is required when type is ValueRef");
                else if (s?.Get<ConfigMap>("ConfigMap", policy.Namespace, vr.Name)?.Data.GetValueOrDefault(Routes.EnvoyRouteFilters.BodyKey) is { } text) body = text;
                else errors.Add($"{field}.response.body.valueRef: ConfigMap {policy.Namespace}/{vr.Name} not found or has no '{Routes.EnvoyRouteFilters.BodyKey}'");
            }
            if (errors.Count > before) continue;
            result.Add(new ResponseOverrideIr
            {
                Statuses = new EquatableArray<StatusRangeIr>(statuses),
                Headers = new EquatableArray<ResponseHeaderMatchIr>(headers),
                Source = source ?? ResponseOverrideSource.All,
                Status = r?.StatusCode,
                ContentType = r?.ContentType,
                Body = body,
                HeaderEdits = r?.Header is { } edits ? Routes.RouteRuleCompiler.Headers(edits) : null,
                Redirect = redirect,
            });
        }
        return new EquatableArray<ResponseOverrideIr>(result);
    }
}
