namespace Causeway.DataPlane.Policies.Jwt;

/// <summary><c>localJWKS</c>: the key set parsed once per apply.</summary>
internal sealed class LocalJwks(string json) : JwksSource
{
    private readonly JwtKeySet _keys = new(json);

    public override JwtKeySet? Current => _keys;

    public override string Describe() => $"local-jwks keys={_keys.Keys.Length}";
}
