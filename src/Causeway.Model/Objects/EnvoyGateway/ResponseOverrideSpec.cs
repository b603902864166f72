using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>One entry of BackendTrafficPolicy <c>spec.responseOverride</c>.</summary>
public sealed record ResponseOverrideSpec
{
    public ResponseOverrideMatchSpec? Match { get; init; }
    public ResponseOverrideResponseSpec? Response { get; init; }
    /// <summary>A redirect instead of a custom response: the shape of Gateway API's RequestRedirect filter.</summary>
    public HttpRequestRedirectFilter? Redirect { get; init; }
    public string? Source { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

public sealed record ResponseOverrideMatchSpec
{
    public IReadOnlyList<StatusCodeMatchSpec> StatusCodes { get; init; } = [];
    public IReadOnlyList<ResponseHeaderMatchSpec> ResponseHeaders { get; init; } = [];
}

public sealed record StatusCodeMatchSpec
{
    public string? Type { get; init; }
    public int? Value { get; init; }
    public StatusCodeRangeSpec? Range { get; init; }
}

public sealed record StatusCodeRangeSpec
{
    public int Start { get; init; }
    public int End { get; init; }
}

public sealed record ResponseHeaderMatchSpec
{
    public string Name { get; init; } = "";
    public StringMatchSpec? Value { get; init; }
}

public sealed record StringMatchSpec
{
    public string? Type { get; init; }
    public string Value { get; init; } = "";
}

public sealed record ResponseOverrideResponseSpec
{
    public string? ContentType { get; init; }
    public CustomResponseBodySpec? Body { get; init; }
    public int? StatusCode { get; init; }
    public HttpHeaderFilter? Header { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
