/** The embedded Binance USDⓈ-M exchange simulator: what the rest of mm-runner may use. */
export { SIM_API_KEY, SIM_API_SECRET, startSimulator, type SimulatorHandle, type SimulatorOptions } from './simulator.ts';
export { runStandaloneSimulator, type StandaloneOptions } from './standalone.ts';
export type { FaultController, FaultSettings, FaultSnapshot, Order503Mode, SocketTarget } from './faults.ts';
export type { SimFundingPayment, SimPosition, SimState, SimTrade } from './sim-state.ts';
export { defaultSymbolSpecs, type SimSymbolSpec } from './symbols.ts';
export { sign } from './signature.ts';
