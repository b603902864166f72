namespace Causeway.DataPlane.Transports.Http1;

/// <summary>
/// Reads "name: value\r\n" field lines (a chunked body's trailers as <see cref="ChunkedScanner.ScanData"/> collects
/// them): each field's name and its value without surrounding blanks; lines without a name are skipped.
/// </summary>
internal ref struct FieldLines(ReadOnlySpan<byte> lines)
{
    private ReadOnlySpan<byte> _rest = lines;

    public bool Next(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        while (!_rest.IsEmpty)
        {
            var end = _rest.IndexOf("\r\n"u8);
            var line = end < 0 ? _rest : _rest[..end];
            _rest = end < 0 ? default : _rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            name = line[..colon];
            value = line[(colon + 1)..].Trim(" \t"u8);
            return true;
        }
        name = value = default;
        return false;
    }
}
