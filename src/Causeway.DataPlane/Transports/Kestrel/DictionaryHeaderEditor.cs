using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Transports.Kestrel;

/// <summary><see cref="IHeaderEditor"/> over a Kestrel request or response header dictionary.</summary>
internal struct DictionaryHeaderEditor : IHeaderEditor
{
    private readonly IHeaderDictionary _headers;
    private string? _kept;

    public DictionaryHeaderEditor(IHeaderDictionary headers)
    {
        _headers = headers;
        _kept = null;
    }

    public void RemoveAll(HeaderText name, bool keep)
    {
        _kept = null;
        if (!_headers.TryGetValue(name.Text, out var existing)) return;
        if (keep && existing.Count > 0) _kept = existing.Count == 1 ? existing[0] : string.Join(',', existing.ToArray());
        _headers.Remove(name.Text);
    }

    public void Add(HeaderText name, HeaderText value, bool afterKept)
    {
        var v = afterKept && _kept is not null ? _kept + "," + value.Text : value.Text;
        _headers[name.Text] = _headers.TryGetValue(name.Text, out var existing) ? StringValues.Concat(existing, v) : new StringValues(v);
    }

    public readonly bool Has(HeaderText name) => _headers.ContainsKey(name.Text);

    public void RemoveMatching(HeaderNameMatch match)
    {
        _kept = null;
        List<string>? names = null;
        foreach (var (name, _) in _headers)
            if (match.Removes(name)) (names ??= []).Add(name);
        if (names is null) return;
        foreach (var name in names) _headers.Remove(name);
    }
}
