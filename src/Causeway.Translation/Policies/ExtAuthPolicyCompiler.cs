using System.Globalization;
using System.Text;
using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Routes;

namespace Causeway.Translation.Policies;

/// <summary>
/// SecurityPolicy <c>extAuth</c> into <see cref="ExtAuthIr"/>: the service's backend (a Service or an Envoy Gateway
/// Backend, resolved from the policy's namespace with its BackendTLSPolicy), the headers each way, the body limit,
/// context extensions (values from ConfigMaps, or Secrets kept as <see cref="SecretText"/>), timeout and failure mode.
/// </summary>
internal static class ExtAuthPolicyCompiler
{
    private const string Field = "spec.extAuth";

    /// <summary>The statuses <c>statusOnError</c> accepts (its CRD enum: 4xx and 5xx Envoy can send).</summary>
    private static readonly HashSet<int> ErrorStatuses =
        [400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 426, 428, 429, 431,
         500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511];

    public static ExtAuthIr? Compile(SecurityPolicy policy, ResourceSnapshot s, BackendResolver? backends, List<string> errors, List<string> warnings)
    {
        if (policy.Spec.ExtAuth is not { } ext) return null;
        SecurityPolicyCompiler.Unmodelled(ext.Unmodelled, Field, errors);
        if (ext.Http is not null && ext.Grpc is not null)
        {
            errors.Add($"{Field}: only one of grpc or http can be specified");
            return null;
        }
        if (ext.Http is null && ext.Grpc is null)
        {
            errors.Add($"{Field}: one of grpc or http must be specified");
            return null;
        }
        var grpc = ext.Grpc is not null;
        var service = ext.Grpc ?? ext.Http!;
        var where = grpc ? $"{Field}.grpc" : $"{Field}.http";
        if (service.Unmodelled is { Count: > 0 } extra)
            foreach (var name in extra.Keys.Order(StringComparer.Ordinal))
                warnings.Add($"{where}.{name}: not supported yet; ignored (the service is reached with the backend's own settings)");
        if (grpc && (service.Path is not null || service.PathOverride is not null || service.HeadersToBackend.Count > 0))
            errors.Add($"{where}: path, pathOverride and headersToBackend are fields of http only");
        if (service.Path is not null && service.PathOverride is not null)
            errors.Add($"{where}: only one of path or pathOverride can be specified");
        if (service.Path is { Length: > 0 } p && p[0] != '/') errors.Add($"{where}.path: \"{p}\" must start with /");
        if (service.PathOverride is { Length: > 0 } o && o[0] != '/') errors.Add($"{where}.pathOverride: \"{o}\" must start with /");

        var (backendId, backendProblem) = Backend(policy, backends, service, where, grpc, warnings);
        // As Envoy Gateway does, failOpen also lets requests through unchecked when the service cannot be resolved.
        if (backendProblem is not null)
        {
            if (ext.FailOpen == true) warnings.Add(backendProblem + "; failOpen is set: requests pass unchecked");
            else errors.Add(backendProblem);
        }

        var timeout = TimeSpan.FromSeconds(10);
        if (ext.Timeout is { } t)
        {
            if (Durations.Parse(t) is { } d && d > TimeSpan.Zero) timeout = d;
            else errors.Add($"{Field}.timeout: \"{t}\" is not a positive duration");
        }
        var statusOnError = 403;
        if (ext.StatusOnError is { } status)
        {
            if (ErrorStatuses.Contains(status)) statusOnError = status;
            else errors.Add($"{Field}.statusOnError: {status.ToString(CultureInfo.InvariantCulture)} is not a supported 4xx or 5xx status");
        }
        int? maxBytes = null;
        if (ext.BodyToExtAuth is { } body)
        {
            if (body.MaxRequestBytes is { } max && max >= 1) maxBytes = max;
            else errors.Add($"{Field}.bodyToExtAuth.maxRequestBytes: a positive number is required");
        }
        var contexts = ContextExtensions(policy, s, ext, grpc, errors, warnings);
        var toExtAuth = new SortedSet<string>(StringComparer.Ordinal);
        if (ext.HeadersToExtAuth is { } names)
            for (var i = 0; i < names.Count; i++)
            {
                if (!HeaderSyntax.IsToken(names[i])) errors.Add($"{Field}.headersToExtAuth[{i}]: \"{names[i]}\" is not a header name");
                else toExtAuth.Add(names[i].ToLowerInvariant());
            }
        var toBackend = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < service.HeadersToBackend.Count; i++)
        {
            var name = service.HeadersToBackend[i];
            if (!HeaderSyntax.IsToken(name)) errors.Add($"{where}.headersToBackend[{i}]: \"{name}\" is not a header name");
            else toBackend.Add(name.ToLowerInvariant());
        }
        if (backendId is null && ext.FailOpen != true) return null;
        return new ExtAuthIr
        {
            Protocol = grpc ? ExtAuthProtocol.Grpc : ExtAuthProtocol.Http,
            BackendId = backendId,
            PathPrefix = string.IsNullOrEmpty(service.Path) || service.Path == "/" ? null : service.Path.TrimEnd('/'),
            PathOverride = string.IsNullOrEmpty(service.PathOverride) ? null : service.PathOverride,
            HeadersToBackend = new(toBackend),
            HeadersToExtAuth = new(toExtAuth),
            MaxRequestBytes = maxBytes,
            ContextExtensions = new(contexts),
            Timeout = timeout,
            FailOpen = ext.FailOpen == true,
            StatusOnError = statusOnError,
            RecomputeRoute = ext.RecomputeRoute == true,
            // Envoy sends route metadata in gRPC checks only (an HTTP check has no metadata), as Envoy Gateway configures it.
            IncludeRouteMetadata = grpc && ext.IncludeRouteMetadata == true,
        };
    }

    /// <summary>The service's backend id, or the problem that kept it from resolving.</summary>
    private static (string? Id, string? Problem) Backend(SecurityPolicy policy, BackendResolver? backends, ExtAuthServiceSpec service, string where,
        bool grpc, List<string> warnings)
    {
        BackendRef? r;
        string field;
        if (service.BackendRefs.Count > 0)
        {
            r = service.BackendRefs[0];
            field = $"{where}.backendRefs[0]";
            if (service.BackendRefs.Count > 1)
                warnings.Add($"{where}.backendRefs: only the first backend is used; the others are ignored");
            if (service.BackendRef is not null) warnings.Add($"{where}.backendRef: ignored, backendRefs is set");
        }
        else
        {
            r = service.BackendRef;
            field = $"{where}.backendRef";
        }
        if (r is null) return (null, $"{where}: backendRef or backendRefs needs to be set");
        if (backends is null) return (null, $"{field}: cannot be resolved here");
        var (id, problem) = backends.ResolveForPolicy("SecurityPolicy", policy.Namespace, field, r, grpc ? BackendProtocol.H2c : BackendProtocol.Http1);
        return (id, problem?.Message);
    }

    private static List<ExtAuthContextIr> ContextExtensions(SecurityPolicy policy, ResourceSnapshot s, ExtAuthSpec ext, bool grpc, List<string> errors,
        List<string> warnings)
    {
        var result = new List<ExtAuthContextIr>();
        if (ext.ContextExtensions.Count > 0 && !grpc)
            warnings.Add($"{Field}.contextExtensions: sent to gRPC services only; ignored for http");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ext.ContextExtensions.Count; i++)
        {
            var c = ext.ContextExtensions[i];
            var field = $"{Field}.contextExtensions[{i}]";
            if (string.IsNullOrEmpty(c.Name))
            {
                errors.Add($"{field}.name: required");
                continue;
            }
            if (!seen.Add(c.Name))
            {
                errors.Add($"{field}.name: \"{c.Name}\" is defined twice");
                continue;
            }
            var type = c.Type ?? "Value";
            if (type == "Value" && c.Value is not null && c.ValueRef is null)
            {
                result.Add(new ExtAuthContextIr(c.Name, c.Value));
                continue;
            }
            if (type != "ValueRef" || c.Value is not null || c.ValueRef is not { } r)
            {
                errors.Add($"{field}: exactly one of value or valueRef must be set with the matching type");
                continue;
            }
            if (!string.IsNullOrEmpty(r.Group) && r.Group != "v1")
            {
                errors.Add($"{field}.valueRef: only a core ConfigMap or Secret is supported, not {r.Group}/{r.Kind}");
                continue;
            }
            switch (r.Kind)
            {
                case "ConfigMap":
                    if (s.Get<ConfigMap>("ConfigMap", policy.Namespace, r.Name) is not { } cm)
                        errors.Add($"{field}.valueRef: ConfigMap {policy.Namespace}/{r.Name} not found");
                    else if (!cm.Data.TryGetValue(r.Key, out var text))
                        errors.Add($"{field}.valueRef: ConfigMap {policy.Namespace}/{r.Name} has no key \"{r.Key}\"");
                    else result.Add(new ExtAuthContextIr(c.Name, text));
                    break;
                case "Secret":
                    if (s.Get<Secret>("Secret", policy.Namespace, r.Name) is not { } secret)
                        errors.Add($"{field}.valueRef: Secret {policy.Namespace}/{r.Name} not found");
                    else if (!secret.Data.TryGetValue(r.Key, out var bytes))
                        errors.Add($"{field}.valueRef: Secret {policy.Namespace}/{r.Name} has no key \"{r.Key}\"");
                    else result.Add(new ExtAuthContextIr(c.Name, null, new SecretText(Encoding.UTF8.GetString(bytes))));
                    break;
                default:
                    errors.Add($"{field}.valueRef: only a ConfigMap or Secret is supported, not {r.Kind}");
                    break;
            }
        }
        result.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
        return result;
    }
}
