namespace Causeway.DataPlane.Transports.Http2.Hpack;

/// <summary>The outcome of decoding one header block.</summary>
internal enum HpackStatus
{
    /// <summary>Every field was decoded and delivered.</summary>
    Ok,

    /// <summary>
    /// The block is not valid HPACK (RFC 7541: a bad index, integer or Huffman code, a truncated field, a table size
    /// update out of place or above the limit). The decoder's state is then unusable: a connection error of type
    /// COMPRESSION_ERROR (RFC 9113 section 4.3).
    /// </summary>
    CompressionError,

    /// <summary>
    /// The decoded fields exceed the maximum header list size. The whole block was still decoded (the dynamic table
    /// stays in step with the peer's); fields past the limit were not delivered.
    /// </summary>
    HeaderListTooLarge,
}
