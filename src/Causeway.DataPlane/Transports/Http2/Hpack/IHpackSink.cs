namespace Causeway.DataPlane.Transports.Http2.Hpack;

/// <summary>
/// Receives the fields <see cref="HpackDecoder"/> decodes, in order. The spans are valid only during the call (they
/// point into the input, the decoder's scratch buffers or its dynamic table).
/// </summary>
internal interface IHpackSink
{
    /// <summary>One decoded field.</summary>
    void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
}
