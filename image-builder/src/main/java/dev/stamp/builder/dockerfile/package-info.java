/**
 * The Dockerfile front end, following BuildKit's behaviour.
 *
 * <ol>
 *   <li>{@link dev.stamp.builder.dockerfile.DockerfileParser} turns text into a syntax tree ({@link
 *       dev.stamp.builder.dockerfile.Dockerfile}, {@link dev.stamp.builder.dockerfile.Node}):
 *       directives, comments, continuations, flags, argument splitting, here-documents.
 *   <li>{@link dev.stamp.builder.dockerfile.Instructions} types and validates each node into an
 *       {@link dev.stamp.builder.dockerfile.Instruction} record and groups them into {@link
 *       dev.stamp.builder.dockerfile.Stage}s, checking stage references.
 *   <li>{@link dev.stamp.builder.dockerfile.StageResolver} applies build arguments with Docker's
 *       scoping and word processing ({@link dev.stamp.builder.dockerfile.ShellLexer}) and returns
 *       the {@link dev.stamp.builder.dockerfile.BuildPlan} for a target.
 * </ol>
 *
 * <p>The parser accepts everything that is syntactically a Dockerfile, as BuildKit's does; what a
 * build refuses in such a file (unknown instructions and flags, instructions before the first FROM,
 * missing arguments, quotes the builder cannot process, bad stage references) is a {@link
 * dev.stamp.builder.dockerfile.BuildProblem} found by {@link
 * dev.stamp.builder.dockerfile.Instructions#check}: the builder fails with the first, {@code stamp
 * lint} reports them all.
 *
 * <p>Decisions where Docker leaves room: {@code COPY --from=NAME} where NAME is no stage but a
 * valid image reference is an image, as in BuildKit, while anything else is reported at the flag;
 * {@code --from} is never expanded; arguments of the instructions the builder expands are checked
 * for unterminated quotes and malformed {@code ${…}} before the build starts; errors read {@code
 * FILE:LINE:COL: message}.
 */
package dev.stamp.builder.dockerfile;
