/**
 * The cnn command-line interface: `pnpm cnn <command> [options]` (train, eval, predict, summary, featuremaps, reconstruct, export).
 * Errors print as one line (a stack trace only with --verbose) and exit non-zero: 2 for usage errors, 1 otherwise.
 */
import { CliError, helpText, parseCommand } from './args.js';
import { COMMANDS } from './commands.js';

const USAGE = `usage: pnpm cnn <command> [options]

commands:
  train        train a CNN on MNIST / Fashion-MNIST and save it (default: LeNet-5, MNIST, 1 epoch)
  eval         evaluate a trained model folder on the test split
  predict      classify a PNG image with a trained model
  summary      print an architecture's layers and parameter counts
  featuremaps  render a trained model's feature maps as a PNG
  reconstruct  denoise test images with a trained autoencoder / U-Net: a PNG grid noisy → reconstruction → original
  export       write a trained model as an ONNX file (predict, eval and summary --onnx read .onnx files too)

run 'pnpm cnn <command> --help' for a command's options`;

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return name ? 0 : 2;
    }
    const cmd = COMMANDS[name];
    if (!cmd) throw new CliError(`unknown command '${name}' (expected one of: ${Object.keys(COMMANDS).join(', ')})`, 2);
    const args = parseCommand(cmd.spec, rest);
    if (args.values.help) {
      process.stdout.write(`${helpText(cmd.spec)}\n`);
      return 0;
    }
    await cmd.run(args);
    return 0;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`error: ${e.message.split('\n')[0]}\n`);
    if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
    return err instanceof CliError ? err.code : 1;
  }
}

