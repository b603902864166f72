using System.Text;
using System.Text.Json;
using Causeway.Translation.Ir;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Causeway.DataPlane.Policies.Jwt;

/// <summary>
/// One JWT provider, compiled: where its tokens are read, its key set, and the checks Envoy's jwt_authn makes, with
/// its messages: signature (RS/PS/ES 256/384/512; <c>none</c>, HMAC and anything else refused), <c>exp</c>/<c>nbf</c>
/// with 60 s of clock skew, issuer, audiences. Parsing and signatures go through Microsoft.IdentityModel.
/// </summary>
internal sealed class JwtProvider
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);
    private static readonly HashSet<string> Algorithms = new(StringComparer.Ordinal)
        { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512" };

    private readonly JwksSource _keys;
    private readonly TimeProvider _time;

    public JwtProvider(JwtProviderIr ir, JwksSource keys, TimeProvider? time = null)
    {
        Ir = ir;
        _keys = keys;
        _time = time ?? TimeProvider.System;
        ClaimHeaders = [.. ir.ClaimToHeaders.Select(c => (c.Claim, new HeaderText(c.Header)))];
    }

    public JwtProviderIr Ir { get; }

    public (string Claim, HeaderText Header)[] ClaimHeaders { get; }

    public JwksSource Keys => _keys;

    /// <summary>Validates <paramref name="token"/>: the token's claims, or null and Envoy's failure message.</summary>
    public ValidatedToken? Validate(string token, out string? failure)
    {
        failure = null;
        if (_keys.Current is not { } keys)
        {
            failure = "Jwks remote fetch is failed";
            return null;
        }
        if (!keys.TryGetVerified(token, out var verified))
        {
            verified = VerifySignature(token, keys, out failure);
            if (verified is null) return null;
            keys.RememberVerified(token, verified);
        }
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (verified!.ExpiresUnix != long.MaxValue && now > verified.ExpiresUnix + (long)Skew.TotalSeconds)
        {
            failure = "Jwt is expired";
            return null;
        }
        if (verified.NotBeforeUnix != long.MinValue && now + (long)Skew.TotalSeconds < verified.NotBeforeUnix)
        {
            failure = "Jwt not yet valid";
            return null;
        }
        if (Ir.Issuer is { } issuer && !(verified.Claims.TryGetProperty("iss", out var iss) && iss.ValueKind == JsonValueKind.String && iss.GetString() == issuer))
        {
            failure = "Jwt issuer is not configured";
            return null;
        }
        if (Ir.Audiences.Count > 0 && !AudienceAllowed(verified.Claims))
        {
            failure = "Audiences in Jwt are not allowed";
            return null;
        }
        return verified;
    }

    private bool AudienceAllowed(JsonElement claims)
    {
        if (!claims.TryGetProperty("aud", out var aud)) return false;
        if (aud.ValueKind == JsonValueKind.String) return Ir.Audiences.Contains(aud.GetString()!);
        if (aud.ValueKind != JsonValueKind.Array) return false;
        foreach (var a in aud.EnumerateArray())
            if (a.ValueKind == JsonValueKind.String && Ir.Audiences.Contains(a.GetString()!)) return true;
        return false;
    }

    private static ValidatedToken? VerifySignature(string token, JwtKeySet keys, out string? failure)
    {
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            failure = "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections";
            return null;
        }
        if (!Algorithms.Contains(jwt.Alg ?? ""))
        {
            failure = "Jwt verification fails"; // alg none, HMAC, EdDSA and unknown algorithms are refused
            return null;
        }
        if (keys.Candidates(jwt.Kid) is not { Length: > 0 } candidates)
        {
            failure = "Jwks doesn't have key to match kid or alg from Jwt";
            return null;
        }
        byte[] signature;
        try
        {
            signature = Base64UrlEncoder.DecodeBytes(jwt.EncodedSignature);
        }
        catch (FormatException)
        {
            failure = "Jwt verification fails";
            return null;
        }
        var signed = Encoding.ASCII.GetBytes(jwt.EncodedHeader + "." + jwt.EncodedPayload);
        var factory = CryptoProviderFactory.Default;
        foreach (var key in candidates)
        {
            SignatureProvider provider;
            try
            {
                provider = factory.CreateForVerifying(key, jwt.Alg);
            }
            catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
            {
                continue; // the key is of another type than the algorithm
            }
            try
            {
                if (!provider.Verify(signed, signature)) continue;
            }
            finally
            {
                factory.ReleaseSignatureProvider(provider);
            }
            try
            {
                using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
                var claims = payload.RootElement.Clone();
                if (claims.ValueKind != JsonValueKind.Object) break;
                var exp = claims.TryGetProperty("exp", out var e1) && e1.TryGetInt64(out var ev) ? ev : long.MaxValue;
                var nbf = claims.TryGetProperty("nbf", out var n1) && n1.TryGetInt64(out var nv) ? nv : long.MinValue;
                failure = null;
                return new ValidatedToken(claims, exp, nbf);
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                break;
            }
        }
        failure = "Jwt verification fails";
        return null;
    }
}
