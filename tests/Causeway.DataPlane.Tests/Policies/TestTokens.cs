using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>Test signing keys (RSA, ECDSA) made with System.Security.Cryptography, their JWKS, and tokens signed with Microsoft.IdentityModel.</summary>
public sealed class TestTokens : IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestTokens(string rsaKid = "rsa-1", string ecKid = "ec-1")
    {
        RsaKid = rsaKid;
        EcKid = ecKid;
    }

    public string RsaKid { get; }
    public string EcKid { get; }

    /// <summary>The JWKS with both public keys.</summary>
    public string Jwks()
    {
        var r = _rsa.ExportParameters(false);
        var e = _ec.ExportParameters(false);
        return $$"""
            {"keys":[
              {"kty":"RSA","use":"sig","alg":"RS256","kid":"{{RsaKid}}","n":"{{Base64UrlEncoder.Encode(r.Modulus)}}","e":"{{Base64UrlEncoder.Encode(r.Exponent)}}"},
              {"kty":"EC","use":"sig","crv":"P-256","kid":"{{EcKid}}","x":"{{Base64UrlEncoder.Encode(e.Q.X)}}","y":"{{Base64UrlEncoder.Encode(e.Q.Y)}}"}
            ]}
            """;
    }

    /// <summary>A token signed with the RSA key (RS256) unless <paramref name="ec"/> (ES256) or <paramref name="ps"/> (PS256).</summary>
    public string Sign(string issuer = "https://issuer.example", string audience = "api", DateTime? expires = null, DateTime? notBefore = null,
        IDictionary<string, object>? claims = null, bool ec = false, bool ps = false, string? kid = null)
    {
        SecurityKey key = ec ? new ECDsaSecurityKey(_ec) { KeyId = kid ?? EcKid } : new RsaSecurityKey(_rsa) { KeyId = kid ?? RsaKid };
        var alg = ec ? SecurityAlgorithms.EcdsaSha256 : ps ? SecurityAlgorithms.RsaSsaPssSha256 : SecurityAlgorithms.RsaSha256;
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Expires = expires ?? now.AddMinutes(10),
            NotBefore = notBefore ?? now.AddMinutes(-5),
            IssuedAt = (notBefore ?? now.AddMinutes(-5)) < now ? now.AddMinutes(-5) : notBefore,
            Subject = new ClaimsIdentity([new Claim("sub", "alice")]),
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, alg),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with the given payload JSON.</summary>
    public static string Unsigned(string payloadJson) =>
        Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + Base64UrlEncoder.Encode(payloadJson) + ".";

    /// <summary>The token with its payload replaced (the signature left as it was).</summary>
    public static string Tampered(string token, string payloadJson)
    {
        var parts = token.Split('.');
        return parts[0] + "." + Base64UrlEncoder.Encode(payloadJson) + "." + parts[2];
    }

    public static string Payload(string token) => Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
    }
}
