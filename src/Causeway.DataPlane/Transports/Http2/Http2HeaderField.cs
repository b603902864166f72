namespace Causeway.DataPlane.Transports.Http2;

/// <summary>A response field for <see cref="Http2ServerSession.SendHeaders"/>: name (any case; sent lower-cased) and value.</summary>
internal readonly record struct Http2HeaderField(ReadOnlyMemory<byte> Name, ReadOnlyMemory<byte> Value);
