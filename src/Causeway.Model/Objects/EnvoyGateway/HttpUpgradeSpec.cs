using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>BackendTrafficPolicy <c>spec.httpUpgrade[]</c>: one protocol upgrade type forwarded (e.g. websocket, spdy/3.1, CONNECT).</summary>
public sealed record HttpUpgradeSpec
{
    public string? Type { get; init; }
    public HttpUpgradeConnectSpec? Connect { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

/// <summary><c>spec.httpUpgrade[].connect</c>: whether a CONNECT request is answered by the gateway and its payload forwarded as raw TCP.</summary>
public sealed record HttpUpgradeConnectSpec
{
    public bool? Terminate { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
