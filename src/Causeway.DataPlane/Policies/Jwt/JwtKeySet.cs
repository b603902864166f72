using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace Causeway.DataPlane.Policies.Jwt;

/// <summary>
/// One version of a provider's JSON Web Key Set: its signing keys by <c>kid</c>, and the tokens whose signature
/// already verified against it (a small bounded cache, so RS256 is not verified again for the same token). A new
/// version of the keys is a new instance, so the cache never outlives the keys that vouched for its entries.
/// </summary>
internal sealed class JwtKeySet
{
    private const int CacheLimit = 1024;

    private readonly Dictionary<string, SecurityKey[]> _byKid = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ValidatedToken> _verified = new(StringComparer.Ordinal);

    public JwtKeySet(string json)
    {
        Json = json;
        var set = new JsonWebKeySet(json) { SkipUnresolvedJsonWebKeys = true };
        Keys = [.. set.GetSigningKeys()];
        foreach (var g in Keys.Where(k => k.KeyId is not null).GroupBy(k => k.KeyId, StringComparer.Ordinal))
            _byKid[g.Key] = [.. g];
    }

    /// <summary>The document the keys came from (a refresh that returns the same document keeps this instance).</summary>
    public string Json { get; }

    public SecurityKey[] Keys { get; }

    /// <summary>The keys a token with <paramref name="kid"/> may be signed with (every key when the token names none).</summary>
    public SecurityKey[]? Candidates(string? kid) => string.IsNullOrEmpty(kid) ? Keys : _byKid.GetValueOrDefault(kid);

    public bool TryGetVerified(string token, out ValidatedToken? verified) => _verified.TryGetValue(token, out verified);

    public void RememberVerified(string token, ValidatedToken verified)
    {
        if (_verified.Count >= CacheLimit) _verified.Clear();
        _verified[token] = verified;
    }
}
