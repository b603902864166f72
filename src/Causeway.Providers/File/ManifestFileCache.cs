using System.Security.Cryptography;
using System.Text;
using Causeway.Model.Loading;
using Causeway.Model.Objects;

namespace Causeway.Providers.File;

/// <summary>
/// The parsed content of every manifest file, kept per file so a reload re-reads and re-parses only the files that
/// changed. A file is re-read when its size or modification time differ from the cached ones, or when its cached copy
/// is "racy": read within <see cref="RacyWindow"/> of its modification time, so a rewrite with the same size inside
/// one timestamp tick (Linux stamps files with a coarse clock; some filesystems have 1–2 s granularity) would leave
/// size and time unchanged. A re-read file is re-parsed only if the SHA-256 of its bytes changed.
/// Not thread-safe: the owner serializes calls to <see cref="Refresh"/>.
/// </summary>
internal sealed class ManifestFileCache(ManifestLoader loader)
{
    /// <summary>How close to its modification time a read must be for the cached copy to be re-checked next time.</summary>
    public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private Composed? _composed;
    private IReadOnlyList<string> _order = [];

    /// <summary>Object count per file when <see cref="Settle"/> was last called: what a shrunk file is measured against.</summary>
    private Dictionary<string, int> _settled = new(StringComparer.Ordinal);

    /// <summary>
    /// Records every file's object count as the one later refreshes compare against to report
    /// <see cref="Composed.ShrunkFile"/>: called when the owner hands the composed objects over.
    /// </summary>
    public void Settle() => _settled = _entries.ToDictionary(e => e.Key, e => e.Value.Objects.Count, StringComparer.Ordinal);

    /// <summary>Incremented whenever the set of files or the bytes of one of them changed.</summary>
    public long ContentVersion { get; private set; }

    /// <summary>Files read from disk since creation (for tests and diagnostics).</summary>
    public long FilesRead { get; private set; }

    /// <summary>Files parsed since creation (for tests and diagnostics).</summary>
    public long FilesParsed { get; private set; }

    /// <summary>What <see cref="Refresh"/> found.</summary>
    public sealed record Composed(
        IReadOnlyList<KubeObject> Objects,
        IReadOnlyList<LoadDiagnostic> Errors,
        IReadOnlyList<LoadDiagnostic> Warnings,
        long ContentVersion,
        bool ShrunkFile);

    private sealed record Entry(
        long Length,
        long MtimeTicks,
        bool Racy,
        byte[]? Hash,
        IReadOnlyList<KubeObject> Objects,
        IReadOnlyList<LoadDiagnostic> Errors,
        IReadOnlyList<LoadDiagnostic> Warnings);

    /// <summary>True when a file was added, removed or changed size or time, or a racy entry needs a look (cheap: no reading).</summary>
    public bool NeedsRefresh(IReadOnlyList<string> files)
    {
        if (files.Count != _entries.Count) return true;
        foreach (var file in files)
        {
            if (!_entries.TryGetValue(file, out var e) || e.Racy) return true;
            var info = new FileInfo(file);
            var length = info.Exists ? info.Length : -1;
            var mtime = info.Exists ? info.LastWriteTimeUtc.Ticks : 0;
            if (length != e.Length || mtime != e.MtimeTicks) return true;
        }
        return false;
    }

    /// <summary>Brings the cache up to date with <paramref name="files"/> (in load order) and composes the result.</summary>
    public Composed Refresh(IReadOnlyList<string> files)
    {
        var next = new Dictionary<string, Entry>(files.Count, StringComparer.Ordinal);
        var changed = _composed is null || files.Count != _entries.Count;
        var shrunk = false;
        foreach (var file in files)
        {
            if (next.ContainsKey(file)) continue; // the same file named twice: the loader reads it twice, duplicates follow
            _entries.TryGetValue(file, out var previous);
            var entry = Check(file, previous);
            if (!ReferenceEquals(entry, previous) && (previous is null || !SameContent(entry, previous)))
            {
                changed = true;
                // A file that now holds fewer objects than when last settled may be caught mid-rewrite (truncated,
                // not yet fully written).
                if (entry.Hash is not null && _settled.TryGetValue(file, out var settled) && entry.Objects.Count < settled) shrunk = true;
            }
            next[file] = entry;
        }
        if (!changed)
        {
            foreach (var file in _entries.Keys)
                if (!next.ContainsKey(file)) { changed = true; break; }
        }
        _entries = next;
        if (!changed && _composed is not null && SameOrder(files)) return _composed with { ShrunkFile = false };
        ContentVersion++;
        _order = [.. files];
        _composed = Compose(files, shrunk);
        return _composed;
    }

    private bool SameOrder(IReadOnlyList<string> files)
    {
        if (files.Count != _order.Count) return false;
        for (var i = 0; i < files.Count; i++)
            if (!string.Equals(files[i], _order[i], StringComparison.Ordinal)) return false;
        return true;
    }

    private static bool SameContent(Entry a, Entry b) =>
        a.Hash is not null && b.Hash is not null ? a.Hash.AsSpan().SequenceEqual(b.Hash)
        : a.Hash is null && b.Hash is null && a.Errors.Select(e => e.ToString()).SequenceEqual(b.Errors.Select(e => e.ToString()));

    private Entry Check(string file, Entry? previous)
    {
        var info = new FileInfo(file);
        if (!info.Exists) return Failed(-1, 0, file, "no such file or directory", previous);
        var length = info.Length;
        var mtime = info.LastWriteTimeUtc;
        if (previous is { Racy: false } && previous.Length == length && previous.MtimeTicks == mtime.Ticks) return previous;
        if (length > ManifestLoader.MaxFileBytes) return Failed(length, mtime.Ticks, file, $"file is larger than {ManifestLoader.MaxFileBytes} bytes", previous);

        // The time of the read is compared with the file's timestamp: both come from the filesystem's clock, not the
        // runtime's TimeProvider.
        var readAt = DateTime.UtcNow;
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(length, mtime.Ticks, file, e.Message, previous);
        }
        FilesRead++;
        var racy = readAt - mtime < RacyWindow;
        var hash = SHA256.HashData(bytes);
        if (previous?.Hash is { } known && known.AsSpan().SequenceEqual(hash))
            return previous with { Length = length, MtimeTicks = mtime.Ticks, Racy = racy };

        FilesParsed++;
        var result = loader.LoadText(Decode(bytes), file);
        // Only what the snapshot needs is kept: skipped documents (kinds Causeway does not read) are dropped.
        return new Entry(bytes.Length, mtime.Ticks, racy, hash, [.. result.Objects], [.. result.Errors], [.. result.Warnings]);
    }

    private static Entry Failed(long length, long mtime, string file, string message, Entry? previous)
    {
        var error = new LoadDiagnostic(Severity.Error, file, 0, null, null, message);
        if (previous is { Hash: null } && previous.Errors.Count == 1 && previous.Errors[0] == error
            && previous.Length == length && previous.MtimeTicks == mtime)
            return previous;
        return new Entry(length, mtime, Racy: true, Hash: null, [], [error], []);
    }

    /// <summary>Decodes as <see cref="System.IO.File.ReadAllText(string, Encoding)"/> with UTF-8 does (byte order marks honoured).</summary>
    private static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Puts the files together as one load of all of them would: objects in file order, an object defined in two files
    /// is an error at its second definition, and "skipping kind" warnings are given once.
    /// </summary>
    private Composed Compose(IReadOnlyList<string> files, bool shrunk)
    {
        var objects = new List<KubeObject>();
        var errors = new List<LoadDiagnostic>();
        var warnings = new List<LoadDiagnostic>();
        var seen = new Dictionary<ObjectKey, SourceLocation>();
        var warned = new HashSet<string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var entry = _entries[file];
            if (!done.Add(file))
            {
                // The same file named twice: every object of it is a duplicate, as the loader reports it.
                foreach (var obj in entry.Objects)
                    errors.Add(Duplicate(file, obj, seen.TryGetValue(obj.Key, out var at) ? at : obj.Source!));
                continue;
            }
            List<LoadDiagnostic>? duplicates = null;
            foreach (var obj in entry.Objects)
            {
                if (seen.TryGetValue(obj.Key, out var first))
                {
                    (duplicates ??= []).Add(Duplicate(file, obj, first));
                    continue;
                }
                seen[obj.Key] = obj.Source ?? new SourceLocation(file, 0);
                objects.Add(obj);
            }
            if (duplicates is null) errors.AddRange(entry.Errors);
            else errors.AddRange(entry.Errors.Concat(duplicates).OrderBy(e => e.Line)); // OrderBy is stable: document order
            foreach (var w in entry.Warnings)
                if (warned.Add(w.Message)) warnings.Add(w);
        }
        return new Composed(objects, errors, warnings, ContentVersion, shrunk);
    }

    private static LoadDiagnostic Duplicate(string file, KubeObject obj, SourceLocation first) =>
        new(Severity.Error, file, obj.Source?.Line ?? 0, obj.Describe(), null, $"duplicate object: already defined at {first}");
}
