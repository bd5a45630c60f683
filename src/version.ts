/** The action's version, as package.json gives it; a drift test holds the two together. */
export const ACTION_VERSION = '0.1.0'
