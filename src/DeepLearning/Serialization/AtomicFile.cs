namespace DeepLearning;

/// <summary>
/// Writes a file so that readers see either the old file or the complete new one, never a part: the content goes to a
/// temporary file in the same folder (same file system, so the rename is atomic), is flushed to the disk, and is then
/// renamed over the target. Any failure deletes the temporary file and leaves the old file as it was.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>.</summary>
    /// <param name="operation">The public operation, for messages (<c>Save</c>).</param>
    /// <param name="path">The target file.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <param name="wrap">Tests only: wraps the file stream (to fail part-way).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the target cannot be written.</exception>
    /// <exception cref="IOException">Writing, flushing or renaming failed (a full disk); the old file is untouched.</exception>
    public static void Write(string operation, string path, Action<Stream> write, Func<Stream, Stream>? wrap = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"{operation}: '{path}' names no file", nameof(path));
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{operation}: folder '{folder}' does not exist (writing '{full}')");
        if (Directory.Exists(full))
            throw new IOException($"{operation}: '{full}' is a folder, expected a file path");
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var stream = wrap is null ? file : wrap(file);
                write(stream);
                stream.Flush();
                // Flush(true) reaches the disk (fsync): after a crash the renamed file holds its data, not zeros.
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            throw e switch
            {
                UnauthorizedAccessException => new UnauthorizedAccessException(
                    $"{operation}: cannot write '{full}' (folder '{folder}' or the file is not writable); the old file is untouched: {e.Message}", e),
                IOException and not FileNotFoundException and not DirectoryNotFoundException => new IOException(
                    $"{operation}: writing '{full}' failed (full disk?); the old file is untouched: {e.Message}", e),
                _ => Rethrow(e),
            };
        }
    }

    private static Exception Rethrow(Exception e)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
        return e;
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // The original failure is the one to report; a leftover hidden .tmp file harms nothing.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
