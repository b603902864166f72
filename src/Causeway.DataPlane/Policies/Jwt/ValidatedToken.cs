using System.Text.Json;

namespace Causeway.DataPlane.Policies.Jwt;

/// <summary>A JWT that passed its provider's checks: its payload claims, for claim headers and authorization rules.</summary>
internal sealed class ValidatedToken(JsonElement claims, long expiresUnix, long notBeforeUnix)
{
    /// <summary>The payload object.</summary>
    public JsonElement Claims { get; } = claims;

    /// <summary><c>exp</c> in Unix seconds (long.MaxValue: none).</summary>
    public long ExpiresUnix { get; } = expiresUnix;

    /// <summary><c>nbf</c> in Unix seconds (long.MinValue: none).</summary>
    public long NotBeforeUnix { get; } = notBeforeUnix;

    /// <summary>The claim at a dotted path (<c>organization.department</c>), or false.</summary>
    public bool TryGetClaim(string path, out JsonElement value)
    {
        value = Claims;
        foreach (var part in path.Split('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value)) return false;
        }
        return true;
    }

    /// <summary>A claim as header text: strings as they are, numbers and booleans as written; null for other kinds.</summary>
    public string? ClaimText(string path)
    {
        if (!TryGetClaim(path, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            _ => null,
        };
    }
}
