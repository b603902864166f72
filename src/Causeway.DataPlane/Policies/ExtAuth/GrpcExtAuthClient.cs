using System.Text;
using Causeway.DataPlane.Upstream;
using Causeway.Translation.Ir;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using AuthorizationService = Envoy.Service.Auth.V3.Authorization;

namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>
/// <c>extAuth.grpc</c>: Envoy's <c>envoy.service.auth.v3.Authorization/Check</c>, over the backend's own connection pool
/// (HTTP/2, with its TLS when a BackendTLSPolicy or the Backend asks for it), one channel per endpoint made at apply
/// time. The check carries the source and destination addresses, the request's method, path, host, scheme, protocol,
/// headers (all, or those <c>headersToExtAuth</c> names, with <c>:authority</c>, <c>:method</c> and <c>:path</c>), its
/// body when the policy sends it, and the context extensions. <c>OK</c> allows, with the answer's header edits;
/// any other status denies with the answer's status (403 unless it says), headers and body; an <c>error_response</c>,
/// an RPC failure or the timeout is a failure of the service.
/// </summary>
internal sealed class GrpcExtAuthClient : IExtAuthClient
{
    private readonly ExtAuthIr _ir;
    private readonly BackendRuntime _backend;
    private readonly AuthorizationService.AuthorizationClient[] _clients;
    private readonly HashSet<string>? _selected;

    public GrpcExtAuthClient(ExtAuthIr ir, BackendRuntime backend)
    {
        _ir = ir;
        _backend = backend;
        var handler = new InvokerHandler(backend.Invoker);
        _clients = [.. backend.Prefixes.Select(prefix => new AuthorizationService.AuthorizationClient(GrpcChannel.ForAddress(prefix, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = false,
            MaxReceiveMessageSize = 4 * 1024 * 1024,
        })))];
        _selected = ir.HeadersToExtAuth.Count == 0 ? null : new HashSet<string>(ir.HeadersToExtAuth, StringComparer.OrdinalIgnoreCase);
    }

    public string Describe() =>
        $"grpc {_backend.Id}" + (_ir.ContextExtensions.Count > 0 ? $" contextExtensions=[{string.Join(",", _ir.ContextExtensions.Select(c => c.Name))}]" : "");

    public async Task<ExtAuthAnswer> CheckAsync(ExtAuthRequest request, CancellationToken cancel)
    {
        if (_clients.Length == 0) return ExtAuthAnswer.Failed;
        var client = _clients.Length == 1 ? _clients[0] : _clients[_backend.NextIndex()];
        CheckResponse response;
        try
        {
            response = await client.CheckAsync(Build(request), deadline: DateTime.UtcNow + _ir.Timeout, cancellationToken: cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException or IOException or InvalidOperationException)
        {
            return ExtAuthAnswer.Failed;
        }
        if (response.HttpResponseCase == CheckResponse.HttpResponseOneofCase.ErrorResponse)
        {
            var error = response.ErrorResponse;
            var status = error.Status?.Code is { } c && (int)c is >= 400 and < 600 ? (int)c : _ir.StatusOnError;
            return new ExtAuthAnswer(ExtAuthResult.Error, ExtAuthReplies.Denial(status, Lines(error.Headers), Body(error.Body)), null);
        }
        if ((response.Status?.Code ?? 0) == 0) return Allow(request, response.OkResponse);
        var denied = response.DeniedResponse;
        var deniedStatus = denied?.Status?.Code is { } d && (int)d is >= 200 and < 600 ? (int)d : 403;
        return new ExtAuthAnswer(ExtAuthResult.Deny,
            ExtAuthReplies.Denial(deniedStatus, denied is null ? [] : Lines(denied.Headers), Body(denied?.Body)), null);
    }

    private static byte[]? Body(string? body) => string.IsNullOrEmpty(body) ? null : Encoding.UTF8.GetBytes(body);

    private static IEnumerable<KeyValuePair<string, string>> Lines(IEnumerable<HeaderValueOption> options)
    {
        foreach (var o in options)
            if (o.Header is { } h) yield return new(h.Key, Value(h));
    }

    private static string Value(HeaderValue h) => h.RawValue.IsEmpty ? h.Value : h.RawValue.ToStringUtf8();

    private static ExtAuthAnswer Allow(ExtAuthRequest request, OkHttpResponse? ok)
    {
        if (ok is null || (ok.Headers.Count == 0 && ok.HeadersToRemove.Count == 0)) return ExtAuthAnswer.Allowed;
        var edits = new List<HeaderMutation>();
        foreach (var o in ok.Headers)
        {
            if (o.Header is not { } h) continue;
            var value = Value(h);
            if (!ExtAuthReplies.Editable(h.Key, value)) continue;
            if (value.Length == 0 && !o.KeepEmptyValue) continue;
#pragma warning disable CS0612 // deprecated upstream, but services still send it, and it decides when present
            var explicitAppend = o.Append;
#pragma warning restore CS0612
            MutationKind? kind = explicitAppend is { } append
                ? append ? MutationKind.Append : MutationKind.Set
                : o.AppendAction switch
                {
                    HeaderValueOption.Types.HeaderAppendAction.AddIfAbsent => request.HasHeader(h.Key) ? null : MutationKind.Set,
                    HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExists => request.HasHeader(h.Key) ? MutationKind.Set : null,
                    // "append defaults to false in this message": APPEND_IF_EXISTS_OR_ADD (the default) overwrites too.
                    _ => MutationKind.Set,
                };
            if (kind is { } k) edits.Add(new HeaderMutation(k, h.Key, value));
        }
        foreach (var name in ok.HeadersToRemove)
            if (ExtAuthReplies.Editable(name, null)) edits.Add(new HeaderMutation(MutationKind.Remove, name));
        return new ExtAuthAnswer(ExtAuthResult.Allow, null, edits);
    }

    private CheckRequest Build(ExtAuthRequest r)
    {
        var http = new AttributeContext.Types.HttpRequest
        {
            Method = r.Method,
            Path = r.RawTarget,
            Host = r.Host,
            Scheme = r.Scheme,
            Protocol = r.Protocol,
            Size = r.Body?.Length ?? (long.TryParse(r.Header("content-length"), out var length) ? length : -1),
            Id = r.Header("x-request-id") ?? "",
        };
        AddHeader(http, ":authority", r.Host);
        AddHeader(http, ":method", r.Method);
        AddHeader(http, ":path", r.RawTarget);
        foreach (var (name, value) in r.Headers)
        {
            var lower = name.ToLowerInvariant();
            if (lower == "host") continue;
            AddHeader(http, lower, value);
        }
        if (r.Body is { } body) http.Body = Encoding.UTF8.GetString(body);
        var attributes = new AttributeContext
        {
            Source = Peer(r.Source?.ToString(), r.SourcePort),
            Destination = Peer(r.Destination?.ToString(), r.DestinationPort),
            Request = new AttributeContext.Types.Request { Time = Timestamp.FromDateTime(DateTime.UtcNow), Http = http },
        };
        foreach (var c in _ir.ContextExtensions) attributes.ContextExtensions[c.Name] = c.Secret?.Value ?? c.Value ?? "";
        if (r.RouteMetadata is { } route) attributes.RouteMetadataContext = route;
        return new CheckRequest { Attributes = attributes };
    }

    /// <summary>Envoy Gateway's metadata namespace in Envoy's metadata.</summary>
    public const string MetadataNamespace = "envoy-gateway";

    /// <summary>
    /// A route's metadata as Envoy Gateway puts it on the route and Envoy's ext_authz sends it in
    /// <c>route_metadata_context</c>: <c>envoy-gateway: { resources: [ { kind, namespace, name, sectionName?, annotations? } ] }</c>.
    /// Made once per rule and shared by its checks (only serialized, never changed).
    /// </summary>
    public static Envoy.Config.Core.V3.Metadata RouteMetadata(RouteMetadataIr route)
    {
        var resource = new Struct();
        resource.Fields["kind"] = Google.Protobuf.WellKnownTypes.Value.ForString(route.Kind);
        resource.Fields["namespace"] = Google.Protobuf.WellKnownTypes.Value.ForString(route.Namespace);
        resource.Fields["name"] = Google.Protobuf.WellKnownTypes.Value.ForString(route.Name);
        if (route.SectionName is { } section) resource.Fields["sectionName"] = Google.Protobuf.WellKnownTypes.Value.ForString(section);
        if (route.Annotations.Count > 0)
        {
            var annotations = new Struct();
            foreach (var (key, value) in route.Annotations) annotations.Fields[key] = Google.Protobuf.WellKnownTypes.Value.ForString(value);
            resource.Fields["annotations"] = Google.Protobuf.WellKnownTypes.Value.ForStruct(annotations);
        }
        var root = new Struct();
        root.Fields["resources"] = Google.Protobuf.WellKnownTypes.Value.ForList(Google.Protobuf.WellKnownTypes.Value.ForStruct(resource));
        var metadata = new Envoy.Config.Core.V3.Metadata();
        metadata.FilterMetadata[MetadataNamespace] = root;
        return metadata;
    }

    private void AddHeader(AttributeContext.Types.HttpRequest http, string name, string value)
    {
        if (_selected is not null && name[0] != ':' && !_selected.Contains(name)) return;
        http.Headers[name] = http.Headers.TryGetValue(name, out var existing) ? existing + "," + value : value;
    }

    /// <summary>A peer; on the byte transports the gateway's own address is not known (then only the port is sent).</summary>
    private static AttributeContext.Types.Peer? Peer(string? address, int port) => address is null && port <= 0
        ? null
        : new AttributeContext.Types.Peer { Address = new Address { SocketAddress = new SocketAddress { Address = address ?? "", PortValue = (uint)Math.Max(0, port) } } };

    /// <summary>Lets gRPC send through the backend's shared invoker (its pool, TLS and Unix sockets).</summary>
    private sealed class InvokerHandler(HttpMessageInvoker invoker) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            invoker.SendAsync(request, cancellationToken);
    }
}
