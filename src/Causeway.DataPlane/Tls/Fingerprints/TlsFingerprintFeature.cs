namespace Causeway.DataPlane.Tls.Fingerprints;

/// <summary>
/// A connection's TLS client fingerprints (<see cref="TlsFingerprints"/>), computed by the event loop from the
/// ClientHello; travels with a connection handed to Kestrel as a connection feature, where the relay and the Kestrel
/// pipeline find it.
/// </summary>
internal sealed record TlsFingerprintFeature(string? Ja3, string? Ja4);
